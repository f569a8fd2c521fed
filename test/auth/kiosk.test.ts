import t from 'tap';
import { buildTestApp, Browser, csrfFrom, movableClock } from '../helpers/app';
import { accountsRepository } from '../../server/db/accounts-repository';
import { hashPassword } from '../../server/auth/passwords';
import { SESSION_COOKIE } from '../../server/plugins/session';

// Idle time passes on the portal's clock: the tests move it instead of waiting or back-dating sessions.
const clock = movableClock();
const ctx = await buildTestApp({ KIOSK: 'true', KIOSK_IDLE_SECONDS: '60' }, { now: clock.now });
t.teardown(ctx.close);
const PASSWORD = 'Kiosk1Password';
await accountsRepository(ctx.db.pool).insert({
  category: 'individual',
  idNumber: 'A123456789',
  name: '王小明',
  birthDate: null,
  phone: null,
  address: null,
  email1: null,
  email2: null,
  passwordHash: await hashPassword(PASSWORD),
  status: 'active',
});

async function loggedIn(): Promise<Browser> {
  const browser = new Browser(ctx.app);
  const form = await browser.get('/login/password');
  await browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber: 'A123456789', password: PASSWORD });
  return browser;
}

t.test(
  'a kiosk page of a logged-in user refreshes to a warning 20 seconds before the idle logout, without JavaScript',
  async (t) => {
    const browser = await loggedIn();
    const page = await browser.get('/account');
    t.match(page.body, /<meta http-equiv="refresh" content="40;url=\/logout\/warning\?next=%2Faccount">/);
    const warning = await browser.get('/logout/warning?next=%2Faccount');
    t.equal(warning.statusCode, 200);
    t.match(warning.body, /<meta http-equiv="refresh" content="20;url=\/logout\/idle">/);
    t.notMatch(warning.body, /url=\/logout\/warning/, 'the warning does not refresh to itself');
    t.match(warning.body, /20 秒後將自動登出/);
    t.match(warning.body, /<a class="button" href="\/account">繼續使用<\/a>/);
  },
);

t.test('the warning page is not activity: the session still ends when the idle time is up', async (t) => {
  const browser = await loggedIn();
  const sid = decodeURIComponent(browser.cookies.get(SESSION_COOKIE)!).split('.')[0];
  const lastActive = clock.now().getTime();
  clock.advance(45_000);
  t.equal((await browser.get('/logout/warning?next=%2Faccount')).statusCode, 200);
  const stored = await ctx.db.pool.query(`SELECT (sess->>'lastSeenAt')::bigint AS at FROM sessions WHERE sid = $1`, [
    sid,
  ]);
  t.equal(Number(stored.rows[0].at), lastActive, 'lastSeenAt was not moved by the warning');
  clock.advance(16_000);
  t.equal((await browser.get('/account')).statusCode, 303, 'logged out once the idle time is up');
});

t.test('continuing from the warning keeps the session', async (t) => {
  const browser = await loggedIn();
  await browser.get('/logout/warning?next=%2Faccount');
  t.equal((await browser.get('/account')).statusCode, 200);
});

t.test('the warning page of a session that already ended goes to the logged-out page', async (t) => {
  const res = await new Browser(ctx.app).get('/logout/warning');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/logged-out?idle=1');
});

t.test('the idle logout ends the session and asks for the card to be removed', async (t) => {
  const browser = await loggedIn();
  clock.advance(58_000); // nobody touched the screen: the meta refresh lands within the last seconds of the limit
  const res = await browser.get('/logout/idle');
  t.equal(res.statusCode, 303);
  const page = await browser.get(res.headers.location as string);
  t.match(page.body, /請取出您的自然人憑證/);
  t.equal((await browser.get('/account')).statusCode, 303, 'logged out');
});

t.test('a link to /logout/idle does not log out someone who is using the kiosk', async (t) => {
  const browser = await loggedIn();
  const idleLogouts = async () =>
    (await ctx.db.pool.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'logout.idle'")).rows[0].n;
  const before = await idleLogouts();
  const res = await browser.get('/logout/idle', { 'sec-fetch-site': 'cross-site' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
  t.equal((await browser.get('/account')).statusCode, 200, 'still logged in');
  t.equal(await idleLogouts(), before, 'no idle logout recorded');
});

t.test('the server ends an idle kiosk session even if the browser never refreshes', async (t) => {
  const browser = await loggedIn();
  // Two minutes without a request: longer than the kiosk's 60 seconds.
  clock.advance(120_000);
  const res = await browser.get('/account');
  t.equal(res.statusCode, 303);
  t.match(res.headers.location, /^\/login/);
});

t.test('kiosk login fields do not autocomplete', async (t) => {
  const page = await new Browser(ctx.app).get('/login/password');
  t.match(page.body, /id="idNumber"[^>]*autocomplete="off"/);
});

t.test('after logout the kiosk asks for the card to be removed', async (t) => {
  const browser = await loggedIn();
  const page = await browser.get('/account');
  const out = await browser.post('/logout', { _csrf: csrfFrom(page.body) });
  const after = await browser.get(out.headers.location as string);
  t.match(after.body, /請取出您的自然人憑證/);
});

t.test('a logged-in kiosk page says when it will log out by itself', async (t) => {
  const browser = await loggedIn();
  const page = await browser.get('/account');
  t.match(page.body, /閒置 60 秒後將自動登出/);
});
