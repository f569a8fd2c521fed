// Each test file gets its own schema in the real PostgreSQL (DATABASE_URL), migrated from scratch and dropped at the end.
import { randomBytes } from 'node:crypto';
import { createPool, type Pool } from '../../server/db/pool';
import { migrate } from '../../server/db/migrate';

export const TEST_DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  pool: Pool;
  schema: string;
  url: string;
  close(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = createPool(TEST_DATABASE_URL, { max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = createPool(TEST_DATABASE_URL, { searchPath: schema, max: 5 });
  await migrate(pool);
  return {
    pool,
    schema,
    url: TEST_DATABASE_URL,
    async close() {
      await pool.end();
      const cleanup = createPool(TEST_DATABASE_URL, { max: 1 });
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}
