import t from 'tap';
import { createTestDatabase } from '../helpers/db';
import { accountsRepository, type NewAccount } from '../../server/db/accounts-repository';
import { auditRepository } from '../../server/db/audit-repository';
import { challengesRepository } from '../../server/db/challenges-repository';
import { withTransaction } from '../../server/db/transaction';

const db = await createTestDatabase();
t.teardown(db.close);

const citizen = (idNumber: string): NewAccount => ({
  category: 'individual', idNumber, name: '王小明', birthDate: '1980-05-17', phone: '0912345678', address: '臺北市',
  email1: 'a@example.tw', email2: null, passwordHash: 'x', status: 'active',
});

t.test('inserting the same ID number twice yields one account', async (t) => {
  const [a, b] = await Promise.all([accountsRepository(db.pool).insert(citizen('A123456789')), accountsRepository(db.pool).insert(citizen('A123456789'))]);
  t.equal([a, b].filter(Boolean).length, 1);
  t.equal((await accountsRepository(db.pool).findByIdNumber('A123456789'))?.birthDate, '1980-05-17');
});

t.test('five failed logins inside the window lock the account, success clears it', async (t) => {
  const repo = accountsRepository(db.pool);
  const account = (await repo.insert(citizen('F223456781')))!;
  const now = new Date('2026-11-27T05:00:00Z');
  let last;
  for (let i = 0; i < 5; i++) last = await repo.recordFailedLogin(account.id, new Date(now.getTime() + i * 1000), 15, 5, 15);
  t.equal(last?.failedLogins, 5);
  t.ok(last?.lockedUntil && last.lockedUntil > now);
  await repo.clearFailedLogins(account.id);
  t.equal((await repo.findById(account.id))?.lockedUntil, null);
});

t.test('failures older than the window start a new count', async (t) => {
  const repo = accountsRepository(db.pool);
  const account = (await repo.insert(citizen('B120000005')))!;
  await repo.recordFailedLogin(account.id, new Date('2026-11-27T05:00:00Z'), 15, 5, 15);
  const later = await repo.recordFailedLogin(account.id, new Date('2026-11-27T05:20:00Z'), 15, 5, 15);
  t.equal(later?.failedLogins, 1);
});

t.test('the audit chain verifies, and a row altered in SQL is found', async (t) => {
  for (let i = 0; i < 5; i++) {
    await withTransaction(db.pool, (client) =>
      auditRepository(client).append({ actorAccountId: null, actorLabel: 'system', action: 'test.event', subjectAccountId: null, reason: `r${i}`, details: { i, b: { z: 1, a: 2 } } }),
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
  await withTransaction(db.pool, (client) => auditRepository(client).append({ actorAccountId: null, actorLabel: 'system', action: 'x', subjectAccountId: null }));
  await t.rejects(db.pool.query('DELETE FROM audit_events'), /append-only/);
});

t.test('a challenge is consumed once even when two requests race', async (t) => {
  const repo = challengesRepository(db.pool);
  const now = new Date();
  await repo.insert({ nonce: 'n1', purpose: 'login', origin: 'http://localhost:3000', sessionId: 's1', createdAt: now, expiresAt: new Date(now.getTime() + 300_000) });
  const results = await Promise.all([repo.consume('n1', 's1', now), repo.consume('n1', 's1', now)]);
  t.equal(results.filter(Boolean).length, 1);
});

t.test('a challenge is not consumed for another session or after it expires', async (t) => {
  const repo = challengesRepository(db.pool);
  const now = new Date();
  await repo.insert({ nonce: 'n2', purpose: 'login', origin: 'o', sessionId: 's1', createdAt: now, expiresAt: new Date(now.getTime() + 300_000) });
  t.equal(await repo.consume('n2', 's2', now), undefined);
  t.equal(await repo.consume('n2', 's1', new Date(now.getTime() + 301_000)), undefined);
  t.ok(await repo.consume('n2', 's1', now));
});

t.test('a session written by the test helper logs the browser in', async (t) => {
  const { buildTestApp } = await import('../helpers/app');
  const { sessionCookieFor } = await import('../helpers/session');
  const ctx = await buildTestApp();
  t.teardown(ctx.close);
  const cookie = await sessionCookieFor(ctx.db.pool, { accountId: 1, name: '測試員', role: 'operator', method: 'password' });
  const res = await ctx.app.inject({ url: '/', headers: { cookie } });
  t.match(res.body, /測試員 已登入/);
});
