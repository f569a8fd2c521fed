// Every /admin route checks the role on the server: anonymous → login, citizen → 403, operator → all but admin-only, admin → all.
import t from 'tap';
import { buildTestApp } from '../helpers/app';
import { accountsRepository } from '../../server/db/accounts-repository';
import { sessionCookieFor } from '../helpers/session';
import { bindCertificate, cookieFor, createAccount, createCast, csrfTokenFor, lockOut, postForm } from './fixtures';

const ctx = await buildTestApp();
t.teardown(ctx.close);
const pool = ctx.db.pool;
const cast = await createCast(pool);

const pending = await createAccount(pool, { category: 'customs_specialist', status: 'pending_review', name: '李待審' });
const active = await createAccount(pool, { name: '黃啟用' });
const suspended = await createAccount(pool, { status: 'suspended', name: '吳停用' });
const locked = await createAccount(pool, { name: '周鎖定' });
await lockOut(pool, locked.id);
const cert = await bindCertificate(pool, active.id, '黃啟用');

const GET_ROUTES = [
  '/admin',
  '/admin/accounts',
  '/admin/accounts?status=active&q=%E9%BB%83',
  `/admin/accounts/${active.id}`,
  `/admin/accounts/${pending.id}/approve`,
  `/admin/accounts/${pending.id}/reject`,
  `/admin/accounts/${active.id}/suspend`,
  `/admin/accounts/${suspended.id}/reactivate`,
  `/admin/accounts/${locked.id}/unlock`,
  `/admin/accounts/${active.id}/certificates/${cert.id}/unbind`,
  '/admin/audit',
];
const ADMIN_ONLY_GET = [`/admin/accounts/${active.id}/full-id`];
const POST_ROUTES = [
  `/admin/accounts/${pending.id}/approve`,
  `/admin/accounts/${pending.id}/reject`,
  `/admin/accounts/${active.id}/suspend`,
  `/admin/accounts/${suspended.id}/reactivate`,
  `/admin/accounts/${locked.id}/unlock`,
  `/admin/accounts/${active.id}/certificates/${cert.id}/unbind`,
  `/admin/accounts/${active.id}/full-id`,
  '/admin/audit/verify',
  '/admin/accounts.csv',
];

async function statuses(): Promise<string[]> {
  const repo = accountsRepository(pool);
  return Promise.all(
    [pending, active, suspended, locked].map(async (a) => {
      const now = (await repo.findById(a.id))!;
      const lock = await ctx.app.lockout.stateOf(pool, now.idNumber, new Date());
      return `${now.status}/${lock.lockedUntil !== null}/${lock.failures}`;
    }),
  );
}

t.test('an anonymous visitor is sent to the login page with the page to come back to', async (t) => {
  for (const url of [...GET_ROUTES, ...ADMIN_ONLY_GET]) {
    const res = await ctx.app.inject({ url });
    t.equal(res.statusCode, 303, url);
    t.equal(res.headers.location, `/login?next=${encodeURIComponent(url)}`, url);
  }
});

t.test('an anonymous POST is refused and changes nothing', async (t) => {
  const before = await statuses();
  for (const url of POST_ROUTES) {
    const res = await postForm(ctx.app, url, '', { reason: 'x' });
    t.ok([303, 403].includes(res.statusCode), `${url} answered ${res.statusCode}`);
  }
  t.same(await statuses(), before);
});

t.test('a logged-in citizen gets a 403 page on every operator page', async (t) => {
  for (const url of [...GET_ROUTES, ...ADMIN_ONLY_GET]) {
    const res = await ctx.app.inject({ url, headers: { cookie: cast.cookies.citizen } });
    t.equal(res.statusCode, 403, url);
    t.match(res.body, /沒有使用權限/, url);
  }
});

t.test('a logged-in citizen cannot perform any operator action, even with a valid CSRF token', async (t) => {
  const csrf = await csrfTokenFor(ctx.app, cast.cookies.citizen);
  const before = await statuses();
  for (const url of POST_ROUTES) {
    const res = await postForm(ctx.app, url, cast.cookies.citizen, { _csrf: csrf, reason: '測試' });
    t.equal(res.statusCode, 403, url);
  }
  t.same(await statuses(), before);
});

t.test('an operator opens every operator page except the admin-only full ID page', async (t) => {
  for (const url of GET_ROUTES) {
    const res = await ctx.app.inject({ url, headers: { cookie: cast.cookies.operator } });
    t.equal(res.statusCode, 200, url);
  }
  for (const url of ADMIN_ONLY_GET) {
    const res = await ctx.app.inject({ url, headers: { cookie: cast.cookies.operator } });
    t.equal(res.statusCode, 403, url);
  }
});

t.test('an operator cannot see a full ID number by posting the form directly', async (t) => {
  const csrf = await csrfTokenFor(ctx.app, cast.cookies.operator);
  const res = await postForm(ctx.app, `/admin/accounts/${active.id}/full-id`, cast.cookies.operator, {
    _csrf: csrf,
    reason: '查核',
  });
  t.equal(res.statusCode, 403);
  t.notOk(res.body.includes(active.idNumber));
});

t.test('an admin opens every operator page', async (t) => {
  for (const url of [...GET_ROUTES, ...ADMIN_ONLY_GET]) {
    const res = await ctx.app.inject({ url, headers: { cookie: cast.cookies.admin } });
    t.equal(res.statusCode, 200, url);
  }
});

t.test('operator pages are never cached', async (t) => {
  const res = await ctx.app.inject({ url: '/admin/accounts', headers: { cookie: cast.cookies.operator } });
  t.equal(res.headers['cache-control'], 'no-store');
});

t.test('a POST without a CSRF token is refused with 403 and changes nothing', async (t) => {
  const before = await statuses();
  for (const url of POST_ROUTES) {
    const res = await postForm(ctx.app, url, cast.cookies.admin, { reason: '沒有 CSRF 權杖' });
    t.equal(res.statusCode, 403, url);
  }
  t.same(await statuses(), before);
});

t.test('a POST with a CSRF token from another session is refused with 403', async (t) => {
  const otherToken = await csrfTokenFor(ctx.app, cast.cookies.operator);
  const res = await postForm(ctx.app, `/admin/accounts/${active.id}/suspend`, cast.cookies.admin, {
    _csrf: otherToken,
    reason: '別人的權杖',
  });
  t.equal(res.statusCode, 403);
  t.equal((await accountsRepository(pool).findById(active.id))?.status, 'active');
});

t.test('an operator whose own account was suspended after login is refused', async (t) => {
  const operator = await createAccount(pool, { role: 'operator', name: '被停用的承辦' });
  const cookie = await cookieFor(pool, operator);
  t.equal((await ctx.app.inject({ url: '/admin', headers: { cookie } })).statusCode, 200);
  await accountsRepository(pool).setStatus(operator.id, 'suspended');
  t.equal((await ctx.app.inject({ url: '/admin', headers: { cookie } })).statusCode, 403);
});

t.test('a session claiming the operator role for a citizen account is refused', async (t) => {
  const cookie = await sessionCookieFor(pool, {
    accountId: cast.citizen.id,
    name: cast.citizen.name,
    role: 'operator',
    method: 'certificate',
  });
  t.equal((await ctx.app.inject({ url: '/admin', headers: { cookie } })).statusCode, 403);
});

t.test(
  'in production mode an operator logged in with a password is refused; with a certificate they are let in',
  async (t) => {
    const production = await buildTestApp({
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(40),
      PUBLIC_ORIGIN: 'https://portal.example.tw',
      SMTP_URL: 'smtp://127.0.0.1:9',
      MAIL_FROM: 'no-reply@portal.example.tw',
    });
    t.teardown(production.close);
    const operator = await createAccount(production.db.pool, { role: 'operator', name: '正式承辦' });
    const byPassword = await sessionCookieFor(production.db.pool, {
      accountId: operator.id,
      name: operator.name,
      role: 'operator',
      method: 'password',
    });
    const byCertificate = await sessionCookieFor(production.db.pool, {
      accountId: operator.id,
      name: operator.name,
      role: 'operator',
      method: 'certificate',
    });
    const refused = await production.app.inject({ url: '/admin', headers: { cookie: byPassword } });
    t.equal(refused.statusCode, 403);
    t.match(refused.body, /僅限以自然人憑證登入後使用/);
    t.equal((await production.app.inject({ url: '/admin', headers: { cookie: byCertificate } })).statusCode, 200);
  },
);
