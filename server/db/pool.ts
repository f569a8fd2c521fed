// The one module that owns the connection pool.
import pg from 'pg';

export type Db = pg.Pool | pg.PoolClient;
export type Pool = pg.Pool;

// DATE columns stay 'YYYY-MM-DD' strings: a birth date has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);
// BIGINT ids fit comfortably in a JS number for this portal's volumes.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export function createPool(connectionString: string, options: { searchPath?: string; max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
    options: options.searchPath ? `-c search_path=${options.searchPath}` : undefined,
  });
  // An idle client losing its server must not crash the process; the next query reports the outage.
  pool.on('error', () => {});
  // Nor a checked-out one: the pool listens only to idle clients, and a client held by a transaction between two
  // queries (while argon2 hashes a password, say) that loses its server emits 'error' with nobody listening, which
  // killed the process when the database restarted. Its queries fail (a 503), and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Resolves when the database answers a trivial query (readiness checks). */
export async function ping(db: Db): Promise<void> {
  await db.query('SELECT 1');
}

/** The URL with any password removed, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** Errors that mean "the database is not there", as opposed to a bug in a query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const err = error as { code?: string; message?: string } | undefined;
  if (!err) return false;
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ENOTFOUND',
    'ETIMEDOUT',
    'EPIPE',
    '57P01',
    '57P02',
    '57P03',
    '53300',
    '08006',
    '08001',
    '08003',
    '08004',
  ];
  if (err.code && codes.includes(err.code)) return true;
  const message = err.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/.test(
    message,
  );
}
