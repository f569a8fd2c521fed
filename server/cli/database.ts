// The database a command-line tool works on: DATABASE_URL, or the portal's embedded PostgreSQL in DATA_DIR
// (reused when the portal is already running it, started for the command otherwise), migrated like at start.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { createPool, redactDatabaseUrl, type Pool } from '../db/pool';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded';
import { migrate } from '../db/migrate';

export interface CommandDatabase {
  pool: Pool;
  /** Where the command is connected, without a password. */
  describe: string;
  close(): Promise<void>;
}

async function reachable(url: string): Promise<Pool | undefined> {
  const pool = createPool(url, { max: 2 });
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch {
    await pool.end().catch(() => {});
    return undefined;
  }
}

export async function openCommandDatabase(config: Config, log: (line: string) => void): Promise<CommandDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  let pool: Pool | undefined;
  if (url) {
    pool = createPool(url, { max: 2 });
    await pool.query('SELECT 1');
  } else {
    const port = Number(process.env.EMBEDDED_PG_PORT || 54329);
    const passwordFile = join(config.dataDir, 'postgres-password');
    // A running portal owns the embedded server's data directory: connect to it rather than start a second one.
    if (existsSync(passwordFile)) {
      const password = readFileSync(passwordFile, 'utf8').trim();
      url = `postgres://portal:${encodeURIComponent(password)}@127.0.0.1:${port}/portal`;
      pool = await reachable(url);
    }
    if (!pool) {
      embedded = await startEmbeddedPostgres(config.dataDir, port, log);
      url = embedded.url;
      pool = createPool(url, { max: 2 });
    }
  }
  await migrate(pool);
  const opened = pool;
  return {
    pool: opened,
    describe: redactDatabaseUrl(url!),
    async close() {
      await opened.end();
      await embedded?.stop();
    },
  };
}
