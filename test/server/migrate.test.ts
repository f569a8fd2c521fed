// Migrations: recorded with a checksum, an edited applied migration refused, two instances migrating at once apply each once.
import t, { type Test } from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, type Pool } from '../../server/db/pool';
import { migrate, readMigrations, MigrationError, MIGRATIONS_DIR } from '../../server/db/migrate';
import { TEST_DATABASE_URL } from '../helpers/db';

/** An empty schema and a pool whose search_path is it; dropped at the end of the test. */
async function emptySchema(t: Test, pools = 1): Promise<Pool[]> {
  const schema = `m_${randomBytes(6).toString('hex')}`;
  const admin = createPool(TEST_DATABASE_URL, { max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const made = Array.from({ length: pools }, () => createPool(TEST_DATABASE_URL, { searchPath: schema, max: 2 }));
  t.teardown(async () => {
    for (const pool of made) await pool.end();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });
  return made;
}

const files = readdirSync(MIGRATIONS_DIR)
  .filter((f) => f.endsWith('.sql'))
  .sort();

t.test('every migration is applied once and recorded with the SHA-256 of its file', async (t) => {
  const [pool] = await emptySchema(t);
  t.same(await migrate(pool), files);
  const { rows } = await pool.query<{ name: string; checksum: string }>(
    'SELECT name, checksum FROM schema_migrations ORDER BY id',
  );
  t.same(
    rows.map((r) => r.name),
    files,
  );
  for (const row of rows) {
    t.equal(
      row.checksum,
      createHash('sha256')
        .update(readFileSync(join(MIGRATIONS_DIR, row.name), 'utf8'))
        .digest('hex'),
      row.name,
    );
  }
  t.same(await migrate(pool), [], 'a second run applies nothing');
});

t.test('an applied migration that was edited afterwards is refused', async (t) => {
  const [pool] = await emptySchema(t);
  const dir = mkdtempSync(join(tmpdir(), 'sw-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  await migrate(pool, dir);
  appendFileSync(join(dir, files[0]), '\n-- edited after it was applied\n');
  const error = await migrate(pool, dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, MigrationError);
  t.match((error as Error).message, /001-.*was edited after it was applied/);
});

t.test('a new migration after the applied ones is applied alone', async (t) => {
  const [pool] = await emptySchema(t);
  const dir = mkdtempSync(join(tmpdir(), 'sw-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  await migrate(pool, dir);
  const next = `${String(files.length + 1).padStart(3, '0')}-extra-table.sql`;
  writeFileSync(join(dir, next), 'CREATE TABLE extra_table (id integer);\n');
  t.same(await migrate(pool, dir), [next]);
});

t.test('a failing migration is rolled back and not recorded', async (t) => {
  const [pool] = await emptySchema(t);
  const dir = mkdtempSync(join(tmpdir(), 'sw-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  await migrate(pool, dir);
  const next = `${String(files.length + 1).padStart(3, '0')}-broken.sql`;
  writeFileSync(join(dir, next), 'CREATE TABLE half_done (id integer);\nSELECT no_such_function();\n');
  await t.rejects(migrate(pool, dir), /broken\.sql failed/);
  const { rows } = await pool.query(`SELECT to_regclass('half_done') AS t`);
  t.equal(rows[0].t, null, 'nothing of it is left');
  const { rowCount } = await pool.query('SELECT 1 FROM schema_migrations WHERE name = $1', [next]);
  t.equal(rowCount, 0);
});

t.test('two instances migrating at once apply each migration once', async (t) => {
  const [one, two] = await emptySchema(t, 2);
  const [a, b] = await Promise.all([migrate(one), migrate(two)]);
  t.same([...a, ...b].sort(), files, 'between them every migration applied exactly once');
  t.ok(a.length === 0 || b.length === 0, 'one instance did the work, the other found it done');
  const { rows } = await one.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
  t.equal(rows[0].n, files.length);
});

t.test('migration files must be numbered without gaps', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-migrations-'));
  writeFileSync(join(dir, '001-a.sql'), 'SELECT 1;');
  writeFileSync(join(dir, '003-c.sql'), 'SELECT 1;');
  t.throws(() => readMigrations(dir), /without gaps/);
});
