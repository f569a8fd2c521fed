// The password lockout's rules: source keys, the doubling wait, the decision for one attempt, and the account-wide
// lock that needs several sources.
import t from 'tap';
import { buildTestApp, Browser, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { accountsRepository } from '../../server/db/accounts-repository';
import { hashPassword } from '../../server/auth/passwords';
import { decide, delayAfter, sourceOf, type LockoutPolicy } from '../../server/auth/lockout';
import type { LoginFailures } from '../../server/db/login-failures-repository';

const POLICY: LockoutPolicy = {
  sourceMaxFailures: 5,
  accountMaxFailures: 20,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  delayBaseMs: 1000,
  delayMaxMs: 60_000,
};
const NOW = new Date('2026-11-27T05:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const row = (fields: Partial<LoginFailures> = {}): LoginFailures => ({
  idNumber: 'A123456789',
  source: '10.0.0.1',
  failures: 0,
  firstFailedAt: NOW,
  lastFailedAt: NOW,
  lockedUntil: null,
  ...fields,
});

t.test('an IPv4 address is its own source; an IPv6 client counts as its /64', async (t) => {
  t.equal(sourceOf('203.0.113.7'), '203.0.113.7');
  t.equal(sourceOf('::ffff:203.0.113.7'), '203.0.113.7');
  t.equal(sourceOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  t.equal(sourceOf('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
  t.equal(sourceOf('2001:db8::1'), '2001:db8:0:0::/64');
  t.equal(sourceOf('::1'), '0:0:0:0::/64');
});

t.test('the wait doubles with each failure from the base and stops at the cap', async (t) => {
  t.same(
    [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => delayAfter(n, POLICY) / 1000),
    [0, 1, 2, 4, 8, 16, 32, 60, 60],
  );
  t.equal(delayAfter(3, { ...POLICY, delayBaseMs: 0 }), 0, 'a base of 0 turns the wait off');
  t.equal(delayAfter(1000, POLICY), 60_000);
});

t.test('an attempt within the wait is refused and not counted', async (t) => {
  const decision = decide(row({ failures: 3, lastFailedAt: NOW }), undefined, at(3), POLICY);
  t.same(decision.gate, { kind: 'wait', seconds: 1 });
  t.equal(decision.next, undefined);
});

t.test(
  'an attempt after the wait is counted before it is checked; the last allowed one locks the source',
  async (t) => {
    const third = decide(row({ failures: 2 }), undefined, at(2), POLICY);
    t.match(third, {
      gate: { kind: 'open', attempt: { failures: 3, locksSource: false } },
      next: { failures: 3, lastFailedAt: at(2), lockedUntil: null },
    });
    const fifth = decide(row({ failures: 4 }), undefined, at(8), POLICY);
    t.match(fifth, { gate: { kind: 'open', attempt: { failures: 5, locksSource: true } } });
    t.same(fifth.next?.lockedUntil, new Date(at(8).getTime() + POLICY.lockMs));
  },
);

t.test('a source lock and an account-wide lock refuse with the minutes left', async (t) => {
  t.same(decide(row({ failures: 5, lockedUntil: at(90) }), undefined, NOW, POLICY).gate, {
    kind: 'locked',
    scope: 'source',
    until: at(90),
    minutes: 2,
  });
  t.same(decide(row(), row({ source: '*', lockedUntil: at(600) }), NOW, POLICY).gate, {
    kind: 'locked',
    scope: 'account',
    until: at(600),
    minutes: 10,
  });
});

t.test('failures older than the window are forgotten', async (t) => {
  const decision = decide(
    row({ failures: 4, firstFailedAt: NOW, lastFailedAt: NOW }),
    undefined,
    at(15 * 60 + 1),
    POLICY,
  );
  t.match(decision, {
    gate: { kind: 'open', attempt: { failures: 1 } },
    next: { failures: 1, firstFailedAt: at(15 * 60 + 1) },
  });
});

// The account-wide rule with small numbers: three failures lock a source, four in all from at least three sources
// lock the password everywhere.
const clock = movableClock();
const ctx = await buildTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_ACCOUNT_MAX_FAILURES: '4' }, { now: clock.now });
t.teardown(ctx.close);
const PASSWORD = 'Correct1Horse';
const hash = await hashPassword(PASSWORD);

async function makeAccount(idNumber: string) {
  return (await accountsRepository(ctx.db.pool).insert({
    category: 'individual',
    idNumber,
    name: '王小明',
    birthDate: '1980-05-17',
    phone: '0912345678',
    address: '臺北市中正區',
    email1: 'a@example.tw',
    email2: null,
    passwordHash: hash,
    status: 'active',
  }))!;
}

async function login(address: string, idNumber: string, password: string) {
  const browser = new Browser(ctx.app, address);
  const form = await browser.get('/login/password');
  const res = await browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber, password });
  clock.advance(5_000); // past the longest wait before a third attempt (2 s)
  return res;
}

t.test('many failures from two sources never lock the password for a third', async (t) => {
  await makeAccount('P100000007');
  const one = uniqueAddress();
  const two = uniqueAddress();
  for (let i = 0; i < 3; i++) await login(one, 'P100000007', 'Wrong1Password');
  for (let i = 0; i < 3; i++) await login(two, 'P100000007', 'Wrong1Password');
  t.equal((await login(one, 'P100000007', PASSWORD)).statusCode, 423, 'each guessing source is locked');
  t.equal(
    (await login(uniqueAddress(), 'P100000007', PASSWORD)).statusCode,
    303,
    'six failures from two sources lock nothing else',
  );
});

t.test(
  'failures from three sources past the account-wide threshold lock the password everywhere, and it is audited',
  async (t) => {
    const account = await makeAccount('R100000009');
    await login(uniqueAddress(), 'R100000009', 'Wrong1Password');
    await login(uniqueAddress(), 'R100000009', 'Wrong1Password');
    const third = uniqueAddress();
    t.equal(
      (await login(third, 'R100000009', 'Wrong1Password')).statusCode,
      401,
      'three failures, three sources: below four',
    );
    const fourth = await login(third, 'R100000009', 'Wrong1Password');
    t.equal(fourth.statusCode, 423, 'the fourth failure locks the account');
    const elsewhere = await login(uniqueAddress(), 'R100000009', PASSWORD);
    t.equal(elsewhere.statusCode, 423);
    t.match(elsewhere.body, /帳號已暫時鎖定密碼登入/);
    const { rows } = await ctx.db.pool.query(
      "SELECT details FROM audit_events WHERE subject_account_id = $1 AND action = 'account.locked'",
      [account.id],
    );
    t.match(rows, [{ details: { scope: 'all_sources', failures: 4, sources: 3, via: 'password_login' } }]);
    clock.advance(15 * 60_000);
    t.equal((await login(uniqueAddress(), 'R100000009', PASSWORD)).statusCode, 303, 'the lock ends with its time');
  },
);
