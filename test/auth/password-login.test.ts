import t from 'tap';
import { buildTestApp, Browser, csrfFrom } from '../helpers/app';
import { accountsRepository, type NewAccount } from '../../server/db/accounts-repository';
import { hashPassword } from '../../server/auth/passwords';
import { SESSION_COOKIE } from '../../server/plugins/session';

const ctx = await buildTestApp({ LOGIN_MAX_FAILURES: '5', LOGIN_LOCKOUT_MINUTES: '15' });
t.teardown(ctx.close);
const PASSWORD = 'Correct1Horse';
const hash = await hashPassword(PASSWORD);

async function makeAccount(idNumber: string, overrides: Partial<NewAccount> = {}) {
  return (await accountsRepository(ctx.db.pool).insert({
    category: 'individual', idNumber, name: '王小明', birthDate: '1980-05-17', phone: '0912345678', address: '臺北市中正區',
    email1: 'a@example.tw', email2: null, passwordHash: hash, status: 'active', ...overrides,
  }))!;
}

async function login(browser: Browser, idNumber: string, password: string) {
  const form = await browser.get('/login/password');
  return browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber, password });
}

t.test('a correct ID and password log in, with a new session id, and my account shows the masked ID', async (t) => {
  await makeAccount('A123456789');
  const browser = new Browser(ctx.app);
  await browser.get('/login/password');
  const before = browser.cookies.get(SESSION_COOKIE);
  t.ok(before, 'an anonymous session exists for the CSRF token');
  const res = await login(browser, 'a123456789', PASSWORD);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
  t.not(browser.cookies.get(SESSION_COOKIE), before, 'session id regenerated at login');
  const page = await browser.get('/account');
  t.equal(page.statusCode, 200);
  t.match(page.body, /A12\*\*\*\*789/);
  t.notMatch(page.body, /A123456789/);
  t.match(page.body, /帳號密碼/);
});

t.test('the pre-login session id is useless after login', async (t) => {
  await makeAccount('B120000005');
  const browser = new Browser(ctx.app);
  await browser.get('/login/password');
  const planted = browser.cookies.get(SESSION_COOKIE)!;
  await login(browser, 'B120000005', PASSWORD);
  const attacker = await ctx.app.inject({ url: '/account', headers: { cookie: `${SESSION_COOKIE}=${planted}` } });
  t.equal(attacker.statusCode, 303);
  t.match(attacker.headers.location, /^\/login/);
});

t.test('an unknown account and a wrong password get the same answer', async (t) => {
  await makeAccount('C100000001');
  const unknown = await login(new Browser(ctx.app), 'Z199999999', PASSWORD);
  const wrong = await login(new Browser(ctx.app), 'C100000001', 'Wrong1Password');
  t.equal(unknown.statusCode, 401);
  t.equal(wrong.statusCode, 401);
  const message = (body: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(body)?.[0];
  t.equal(message(unknown.body), message(wrong.body));
  t.match(wrong.body, /身分證號或密碼錯誤/);
  t.match(wrong.body, /value="C100000001"/, 'the ID number is kept');
  t.notMatch(wrong.body, /Wrong1Password/, 'the password is not');
});

t.test('five failures lock the account, even the right password is then refused, and it is recorded', async (t) => {
  const account = await makeAccount('D100000003');
  const browser = new Browser(ctx.app);
  for (let i = 0; i < 4; i++) t.equal((await login(browser, 'D100000003', 'Wrong1Password')).statusCode, 401);
  const fifth = await login(browser, 'D100000003', 'Wrong1Password');
  t.equal(fifth.statusCode, 423);
  t.match(fifth.body, /鎖定/);
  const right = await login(browser, 'D100000003', PASSWORD);
  t.equal(right.statusCode, 423);
  const events = await ctx.db.pool.query("SELECT action FROM audit_events WHERE subject_account_id = $1 AND action = 'account.locked'", [account.id]);
  t.equal(events.rowCount, 1);
  const attempts = await ctx.db.pool.query('SELECT count(*)::int AS n FROM login_attempts WHERE account_id = $1 AND NOT success', [account.id]);
  t.equal(attempts.rows[0].n, 6);
});

t.test('a success clears the failure count', async (t) => {
  const account = await makeAccount('E100000005');
  const browser = new Browser(ctx.app);
  await login(browser, 'E100000005', 'Wrong1Password');
  await login(new Browser(ctx.app), 'E100000005', PASSWORD);
  t.equal((await accountsRepository(ctx.db.pool).findById(account.id))?.failedLogins, 0);
});

t.test('pending and suspended accounts are refused with their own messages', async (t) => {
  await makeAccount('F100000007', { status: 'pending_review', category: 'customs_specialist' });
  await makeAccount('G100000009', { status: 'suspended' });
  const pending = await login(new Browser(ctx.app), 'F100000007', PASSWORD);
  t.equal(pending.statusCode, 403);
  t.match(pending.body, /審核中/);
  const suspended = await login(new Browser(ctx.app), 'G100000009', PASSWORD);
  t.equal(suspended.statusCode, 403);
  t.match(suspended.body, /停用/);
});

t.test('empty fields are errors at the top and at the field', async (t) => {
  const browser = new Browser(ctx.app);
  const form = await browser.get('/login/password');
  const res = await browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber: '', password: '' });
  t.equal(res.statusCode, 400);
  t.match(res.body, /href="#idNumber"/);
  t.match(res.body, /href="#password"/);
  t.match(res.body, /id="idNumber-error"/);
  t.match(res.body, /id="password-error"/);
});

t.test('a login form without its CSRF token is refused', async (t) => {
  const res = await new Browser(ctx.app).post('/login/password', { idNumber: 'A123456789', password: PASSWORD });
  t.equal(res.statusCode, 403);
});

t.test('logout is a POST that destroys the session', async (t) => {
  await makeAccount('H100000000');
  const browser = new Browser(ctx.app);
  await login(browser, 'H100000000', PASSWORD);
  const page = await browser.get('/account');
  const out = await browser.post('/logout', { _csrf: csrfFrom(page.body) });
  t.equal(out.statusCode, 303);
  t.equal(out.headers.location, '/logged-out');
  t.equal((await browser.get('/account')).statusCode, 303);
});

t.test('changing the password needs the current one, follows the rule and ends other sessions', async (t) => {
  await makeAccount('J100000002');
  const here = new Browser(ctx.app);
  const elsewhere = new Browser(ctx.app);
  await login(here, 'J100000002', PASSWORD);
  await login(elsewhere, 'J100000002', PASSWORD);
  const page = await here.get('/account');
  const weak = await here.post('/account/password', { _csrf: csrfFrom(page.body), currentPassword: PASSWORD, newPassword: 'short', newPasswordConfirm: 'short' });
  t.equal(weak.statusCode, 400);
  t.match(weak.body, /href="#newPassword"/);
  const wrongCurrent = await here.post('/account/password', { _csrf: csrfFrom(page.body), currentPassword: 'Nope1Nope1', newPassword: 'Another2Horse', newPasswordConfirm: 'Another2Horse' });
  t.match(wrongCurrent.body, /目前的密碼不正確/);
  const ok = await here.post('/account/password', { _csrf: csrfFrom(page.body), currentPassword: PASSWORD, newPassword: 'Another2Horse', newPasswordConfirm: 'Another2Horse' });
  t.equal(ok.statusCode, 303);
  t.equal((await here.get('/account')).statusCode, 200, 'this session goes on');
  t.equal((await elsewhere.get('/account')).statusCode, 303, 'the other session ended');
  t.equal((await login(new Browser(ctx.app), 'J100000002', 'Another2Horse')).statusCode, 303);
});
