// Entry point: read config, start the embedded PostgreSQL if no DATABASE_URL, migrate, listen, shut down gracefully.
import { loadConfig, resolveSessionSecret, ConfigError, type Config } from './config';
import { createPool, redactDatabaseUrl } from './db/pool';
import { startEmbeddedPostgres, EmbeddedStartError, type EmbeddedDatabase } from './db/embedded';
import { migrate } from './db/migrate';
import { buildApp } from './app';
import { startBackgroundServices } from './startup';
import { prepareDemoPki, startDemoSigner } from './demo/start';

/** A start-up failure is one line naming what to do, never a stack trace (a child's stderr may span lines). */
function fail(line: string): never {
  process.stderr.write(`sw-portal: ${line.replace(/\s*\n\s*/g, ' ').trim()}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(`configuration error: ${error.message}`);
    throw error;
  }

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const port = Number(process.env.EMBEDDED_PG_PORT || 54329);
    try {
      embedded = await startEmbeddedPostgres(
        config.dataDir,
        port,
        (line) => process.stderr.write(`sw-portal: ${line}\n`),
        {
          runDir: process.env.EMBEDDED_PG_RUN_DIR || undefined,
        },
      );
    } catch (error) {
      fail(
        error instanceof EmbeddedStartError
          ? error.message
          : `could not start the embedded PostgreSQL in ${config.dataDir}: ${messageOf(error)}`,
      );
    }
    databaseUrl = embedded.url;
  }

  const pool = createPool(databaseUrl);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await embedded?.stop();
    fail(`cannot reach the database at ${redactDatabaseUrl(databaseUrl)}: ${(error as Error).message}`);
  }
  try {
    await migrate(pool);
  } catch (error) {
    await embedded?.stop();
    fail(`database migration failed: ${(error as Error).message}`);
  }

  try {
    await prepareDemoPki(config, (line) => process.stderr.write(`sw-portal: ${line}\n`));
  } catch (error) {
    await embedded?.stop();
    fail(`could not make the demo PKI: ${(error as Error).message}`);
  }

  const app = await buildApp({ config, pool, sessionSecret: resolveSessionSecret(config) });
  const background = await startBackgroundServices(app, config);
  let signer: Awaited<ReturnType<typeof startDemoSigner>>;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close(); // stops accepting, waits for in-flight requests
      await signer?.close();
      await background.stop();
      await pool.end();
      await embedded?.stop();
    } catch (error) {
      app.log.error({ err: error }, 'shutdown did not complete cleanly');
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  signer = await startDemoSigner(config, app.log);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

main().catch((error) => fail(`could not start: ${messageOf(error)}`));
