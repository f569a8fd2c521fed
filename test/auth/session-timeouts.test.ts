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
  category: 'individual', idNumber: 'A123456789', name: '王小明', birthDate: null, phone: null, address: null,
  email1: null, email2: null, passwordHash: await hashPassword(PASSWORD), status: 'active',
});

async function loggedIn(): Promise<Browser> {
  const browser = new Browser(ctx.app);
  const form = await browser.get('/login/password');
  const res = await browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber: 'A123456789', password: PASSWORD });
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
