import t from 'tap';
import { buildTestApp, Browser, csrfFrom } from '../helpers/app';
import { accountsRepository } from '../../server/db/accounts-repository';
import { hashPassword } from '../../server/auth/passwords';
import { SESSION_COOKIE } from '../../server/plugins/session';

const ctx = await buildTestApp({ KIOSK: 'true', KIOSK_IDLE_SECONDS: '60' });
t.teardown(ctx.close);
const PASSWORD = 'Kiosk1Password';
await accountsRepository(ctx.db.pool).insert({
  category: 'individual', idNumber: 'A123456789', name: '王小明', birthDate: null, phone: null, address: null,
  email1: null, email2: null, passwordHash: await hashPassword(PASSWORD), status: 'active',
});

async function loggedIn(): Promise<Browser> {
  const browser = new Browser(ctx.app);
  const form = await browser.get('/login/password');
  await browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber: 'A123456789', password: PASSWORD });
  return browser;
}

t.test('a kiosk page of a logged-in user refreshes to the idle logout without JavaScript', async (t) => {
  const browser = await loggedIn();
  const page = await browser.get('/account');
  t.match(page.body, /<meta http-equiv="refresh" content="60;url=\/logout\/idle">/);
});

t.test('the idle logout ends the session and asks for the card to be removed', async (t) => {
  const browser = await loggedIn();
  const res = await browser.get('/logout/idle');
  t.equal(res.statusCode, 303);
  const page = await browser.get(res.headers.location as string);
  t.match(page.body, /請取出您的自然人憑證/);
  t.equal((await browser.get('/account')).statusCode, 303, 'logged out');
});

t.test('the server ends an idle kiosk session even if the browser never refreshes', async (t) => {
  const browser = await loggedIn();
  const sid = decodeURIComponent(browser.cookies.get(SESSION_COOKIE)!).split('.')[0];
  // The session was last seen two minutes ago: longer than the kiosk's 60 seconds.
  await ctx.db.pool.query(`UPDATE sessions SET sess = jsonb_set(sess, '{lastSeenAt}', to_jsonb($2::bigint)) WHERE sid = $1`, [sid, Date.now() - 120_000]);
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
