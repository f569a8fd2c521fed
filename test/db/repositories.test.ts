import t from 'tap';
import { createTestDatabase } from '../helpers/db';
import { accountsRepository, type NewAccount } from '../../server/db/accounts-repository';
import { auditRepository } from '../../server/db/audit-repository';
import { challengesRepository } from '../../server/db/challenges-repository';
import { ALL_SOURCES, loginFailuresRepository } from '../../server/db/login-failures-repository';
import { withTransaction } from '../../server/db/transaction';

const db = await createTestDatabase();
t.teardown(db.close);

const citizen = (idNumber: string): NewAccount => ({
  category: 'individual',
  idNumber,
  name: '王小明',
  birthDate: '1980-05-17',
  phone: '0912345678',
  address: '臺北市',
  email1: 'a@example.tw',
  email2: null,
  passwordHash: 'x',
  status: 'active',
});

t.test('inserting the same ID number twice yields one account', async (t) => {
  const [a, b] = await Promise.all([
    accountsRepository(db.pool).insert(citizen('A123456789')),
    accountsRepository(db.pool).insert(citizen('A123456789')),
  ]);
  t.equal([a, b].filter(Boolean).length, 1);
  t.equal((await accountsRepository(db.pool).findByIdNumber('A123456789'))?.birthDate, '1980-05-17');
});

t.test('a source row is created empty, updated, cleared alone or with the rest of its ID number', async (t) => {
  const repo = loginFailuresRepository(db.pool);
  const now = new Date('2026-11-27T05:00:00Z');
  const row = await withTransaction(db.pool, (client) =>
    loginFailuresRepository(client).findForUpdate('F223456781', '10.0.0.1', now),
  );
  t.match(row, { idNumber: 'F223456781', source: '10.0.0.1', failures: 0, lockedUntil: null });
  await repo.update({ ...row, failures: 5, lockedUntil: new Date(now.getTime() + 15 * 60_000) });
  await withTransaction(db.pool, (client) =>
    loginFailuresRepository(client).findForUpdate('F223456781', '10.0.0.2', now),
  );
  t.equal((await repo.find('F223456781', '10.0.0.1'))?.failures, 5);
  await repo.clear('F223456781', ['10.0.0.1']);
  t.same(
    (await repo.listFor('F223456781')).map((r) => r.source),
    ['10.0.0.2'],
  );
  await repo.clearAll('F223456781');
  t.same(await repo.listFor('F223456781'), []);
});

t.test('sources are counted since a time, without the account-wide row', async (t) => {
  const repo = loginFailuresRepository(db.pool);
  const now = new Date('2026-11-27T05:00:00Z');
  for (const source of ['10.0.1.1', '10.0.1.2', ALL_SOURCES]) {
    const row = await withTransaction(db.pool, (client) =>
      loginFailuresRepository(client).findForUpdate('B120000005', source, now),
    );
    await repo.update({ ...row, failures: 1 });
  }
  t.equal(await repo.countSourcesSince('B120000005', now), 2);
  t.equal(await repo.countSourcesSince('B120000005', new Date(now.getTime() + 1)), 0);
});

t.test('rows past their window and lock are purged; a lock in force is kept', async (t) => {
  const repo = loginFailuresRepository(db.pool);
  const old = new Date('2026-01-01T00:00:00Z');
  const now = new Date('2026-01-01T01:00:00Z');
  const expired = await withTransaction(db.pool, (client) =>
    loginFailuresRepository(client).findForUpdate('C100000001', '10.0.2.1', old),
  );
  await repo.update({ ...expired, failures: 2 });
  const locked = await withTransaction(db.pool, (client) =>
    loginFailuresRepository(client).findForUpdate('C100000001', '10.0.2.2', old),
  );
  await repo.update({ ...locked, failures: 5, lockedUntil: new Date(now.getTime() + 60_000) });
  await repo.purgeExpired(new Date(now.getTime() - 15 * 60_000), now);
  t.same(
    (await repo.listFor('C100000001')).map((r) => r.source),
    ['10.0.2.2'],
  );
});

t.test('the audit chain verifies, and a row altered in SQL is found', async (t) => {
  for (let i = 0; i < 5; i++) {
    await withTransaction(db.pool, (client) =>
      auditRepository(client).append({
        actorAccountId: null,
        actorLabel: 'system',
        action: 'test.event',
        subjectAccountId: null,
        reason: `r${i}`,
        details: { i, b: { z: 1, a: 2 } },
      }),
    );
  }
  t.same(await auditRepository(db.pool).verifyChain(2), { ok: true, checked: 5 });
  const third = (await db.pool.query('SELECT id FROM audit_events ORDER BY id LIMIT 1 OFFSET 2')).rows[0].id;
  await db.pool.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
  await db.pool.query("UPDATE audit_events SET reason = 'tampered' WHERE id = $1", [third]);
  await db.pool.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
  const check = await auditRepository(db.pool).verifyChain();
  t.equal(check.ok, false);
  t.same(check.brokenAt, { id: third, problem: 'hash_mismatch' });
});

t.test('the audit trail refuses updates and deletes', async (t) => {
  await withTransaction(db.pool, (client) =>
    auditRepository(client).append({ actorAccountId: null, actorLabel: 'system', action: 'x', subjectAccountId: null }),
  );
  await t.rejects(db.pool.query('DELETE FROM audit_events'), /append-only/);
});

t.test('a challenge is consumed once even when two requests race', async (t) => {
  const repo = challengesRepository(db.pool);
  const now = new Date();
  await repo.insert({
    nonce: 'n1',
    purpose: 'login',
    origin: 'http://localhost:3000',
    sessionId: 's1',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 300_000),
  });
  const results = await Promise.all([repo.consume('n1', 's1', now), repo.consume('n1', 's1', now)]);
  t.equal(results.filter(Boolean).length, 1);
});

t.test('a challenge is not consumed for another session or after it expires', async (t) => {
  const repo = challengesRepository(db.pool);
  const now = new Date();
  await repo.insert({
    nonce: 'n2',
    purpose: 'login',
    origin: 'o',
    sessionId: 's1',
    createdAt: now,
    expiresAt: new Date(now.getTime() + 300_000),
  });
  t.equal(await repo.consume('n2', 's2', now), undefined);
  t.equal(await repo.consume('n2', 's1', new Date(now.getTime() + 301_000)), undefined);
  t.ok(await repo.consume('n2', 's1', now));
});

t.test('a session written by the test helper logs the browser in', async (t) => {
  const { buildTestApp } = await import('../helpers/app');
  const { sessionCookieFor } = await import('../helpers/session');
  const ctx = await buildTestApp();
  t.teardown(ctx.close);
  const cookie = await sessionCookieFor(ctx.db.pool, {
    accountId: 1,
    name: '測試員',
    role: 'operator',
    method: 'password',
  });
  const res = await ctx.app.inject({ url: '/', headers: { cookie } });
  t.match(res.body, /測試員 已登入/);
});
