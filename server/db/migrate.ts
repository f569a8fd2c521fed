// Forward-only numbered SQL migrations, each recorded with its checksum, applied under an advisory lock
// so that several instances starting together migrate once.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';

export const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url).pathname;
const LOCK_KEY = 720_61161; // any constant shared by every instance of the portal

export interface Migration {
  id: number;
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const migrations = files.map((name) => {
    const match = /^(\d{3})-[a-z0-9-]+\.sql$/.exec(name);
    if (!match) throw new MigrationError(`migration file name must look like 001-name.sql: ${name}`);
    const sql = readFileSync(join(dir, name), 'utf8');
    return { id: Number(match[1]), name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
  migrations.forEach((m, i) => {
    if (m.id !== i + 1)
      throw new MigrationError(`migrations must be numbered without gaps: expected ${i + 1}, found ${m.name}`);
  });
  return migrations;
}

/** Applies pending migrations; returns the names applied. Refuses when an applied migration was edited. */
export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = readMigrations(dir);
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      id integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ id: number; name: string; checksum: string }>(
      'SELECT id, name, checksum FROM schema_migrations ORDER BY id',
    );
    for (const applied of rows) {
      const file = migrations.find((m) => m.id === applied.id);
      if (!file) throw new MigrationError(`database has migration ${applied.name} that is not in migrations/`);
      if (file.checksum !== applied.checksum) {
        throw new MigrationError(
          `migration ${applied.name} was edited after it was applied (checksum differs); add a new migration instead`,
        );
      }
    }
    const done = new Set(rows.map((r) => r.id));
    const appliedNow: string[] = [];
    for (const migration of migrations.filter((m) => !done.has(m.id))) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (id, name, checksum) VALUES ($1, $2, $3)', [
          migration.id,
          migration.name,
          migration.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`);
      }
      appliedNow.push(migration.name);
    }
    return appliedNow;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    client.release();
  }
}
