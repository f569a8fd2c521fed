// The session's idle and absolute timeouts are the server's, on the portal's clock: the tests move the clock.
import t from 'tap';
import { buildTestApp, Browser, csrfFrom, movableClock } from '../helpers/app';
import { accountsRepository } from '../../server/db/accounts-repository';
import { hashPassword } from '../../server/auth/passwords';

const clock = movableClock();
const ctx = await buildTestApp({ SESSION_IDLE_SECONDS: '600', SESSION_ABSOLUTE_SECONDS: '3600' }, { now: clock.now });
t.teardown(ctx.close);
const PASSWORD = 'Timeout1Password';
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
  const res = await browser.post('/login/password', {
    _csrf: csrfFrom(form.body),
    idNumber: 'A123456789',
    password: PASSWORD,
  });
  if (res.headers.location !== '/account') throw new Error(`login failed: ${res.statusCode}`);
  return browser;
}

t.test('a session used within the idle timeout stays logged in', async (t) => {
  const browser = await loggedIn();
  clock.advance(599_000);
  t.equal((await browser.get('/account')).statusCode, 200);
});

t.test('a session idle for longer than the idle timeout is logged out', async (t) => {
  const browser = await loggedIn();
  clock.advance(601_000);
  const res = await browser.get('/account');
  t.equal(res.statusCode, 303);
  t.match(res.headers.location, /^\/login/);
});

t.test('a session in use is logged out at the absolute timeout', async (t) => {
  const browser = await loggedIn();
  // Used every nine minutes: never idle for long, but older than an hour in the end.
  for (let minutes = 9; minutes < 60; minutes += 9) {
    clock.advance(9 * 60_000);
    t.equal((await browser.get('/account')).statusCode, 200, `still logged in after ${minutes} minutes`);
  }
  clock.advance(9 * 60_000);
  const res = await browser.get('/account');
  t.equal(res.statusCode, 303, 'logged out after 63 minutes');
  t.match(res.headers.location, /^\/login/);
});

/** The stored session's row for this browser: its expiry moves only when the session is written. */
async function storedExpiry(browser: Browser): Promise<number> {
  const sid = decodeURIComponent(browser.cookies.get('sw_sid')!).split('.')[0];
  const { rows } = await ctx.db.pool.query('SELECT expires_at FROM sessions WHERE sid = $1', [sid]);
  return (rows[0].expires_at as Date).getTime();
}

t.test('a stylesheet or the favicon never writes the session; a page does', async (t) => {
  // Rewriting the session on every answer let a slow asset request put back a copy read before a page stored its
  // CSRF secret, and that page's form then failed its CSRF check.
  const browser = await loggedIn();
  const before = await storedExpiry(browser);
  clock.advance(60_000);
  t.equal((await browser.get('/public/css/portal.css')).statusCode, 200);
  t.equal((await browser.get('/favicon.ico')).statusCode, 200);
  t.equal(await storedExpiry(browser), before, 'assets left the stored session alone');
  t.equal((await browser.get('/account')).statusCode, 200);
  t.ok((await storedExpiry(browser)) > before, 'a page is activity and moves the expiry');
});

t.test('an anonymous page that changes nothing does not rewrite its session', async (t) => {
  const browser = new Browser(ctx.app);
  await browser.get('/login/password');
  const before = await storedExpiry(browser);
  clock.advance(60_000);
  t.equal((await browser.get('/')).statusCode, 200);
  t.equal(await storedExpiry(browser), before);
});
