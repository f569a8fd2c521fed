import t from 'tap';
import { buildTestApp, Browser, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { accountsRepository, type NewAccount } from '../../server/db/accounts-repository';
import { hashPassword } from '../../server/auth/passwords';
import { SESSION_COOKIE } from '../../server/plugins/session';

const clock = movableClock();
const ctx = await buildTestApp(
  { LOGIN_MAX_FAILURES: '5', LOGIN_LOCKOUT_MINUTES: '15', LOGIN_DELAY_SECONDS: '1', LOGIN_DELAY_MAX_SECONDS: '60' },
  { now: clock.now },
);
t.teardown(ctx.close);
/** Past the longest wait between two attempts (LOGIN_DELAY_MAX_SECONDS), well inside the 15-minute window. */
const afterTheWait = () => clock.advance(61_000);
const PASSWORD = 'Correct1Horse';
const hash = await hashPassword(PASSWORD);

async function makeAccount(idNumber: string, overrides: Partial<NewAccount> = {}) {
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
    ...overrides,
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

t.test(
  'five failures from one address lock the password login from there, even the right password, and it is recorded',
  async (t) => {
    const account = await makeAccount('D100000003');
    const browser = new Browser(ctx.app, uniqueAddress());
    for (let i = 0; i < 4; i++) {
      t.equal((await login(browser, 'D100000003', 'Wrong1Password')).statusCode, 401);
      afterTheWait();
    }
    const fifth = await login(browser, 'D100000003', 'Wrong1Password');
    t.equal(fifth.statusCode, 423);
    t.match(fifth.body, /帳號已暫時鎖定密碼登入，請 15 分鐘後再試/);
    afterTheWait();
    const right = await login(browser, 'D100000003', PASSWORD);
    t.equal(right.statusCode, 423);
    t.ok(Number(right.headers['retry-after']) > 0, 'Retry-After says when');
    const events = await ctx.db.pool.query(
      "SELECT details FROM audit_events WHERE subject_account_id = $1 AND action = 'account.locked'",
      [account.id],
    );
    t.equal(events.rowCount, 1);
    t.match(events.rows[0].details, {
      scope: 'source',
      source: browser.remoteAddress,
      failures: 5,
      via: 'password_login',
    });
    const attempts = await ctx.db.pool.query(
      'SELECT count(*)::int AS n FROM login_attempts WHERE account_id = $1 AND NOT success',
      [account.id],
    );
    t.equal(attempts.rows[0].n, 6);
  },
);

t.test('a success clears the failure count of its address', async (t) => {
  await makeAccount('E100000005');
  const browser = new Browser(ctx.app, uniqueAddress());
  await login(browser, 'E100000005', 'Wrong1Password');
  afterTheWait();
  t.equal((await login(browser, 'E100000005', PASSWORD)).statusCode, 303);
  await login(browser, 'E100000005', 'Wrong1Password');
  t.match(
    (await login(browser, 'E100000005', 'Wrong1Password')).body,
    /請於 1 秒後再試/,
    'the next typo waits as if it were the first',
  );
});

t.test('wrong passwords from one address do not lock the right password from another', async (t) => {
  await makeAccount('K100000008');
  const attacker = new Browser(ctx.app, uniqueAddress());
  for (let i = 0; i < 8; i++) {
    await login(attacker, 'K100000008', `Guess${i}Password`);
    afterTheWait();
  }
  t.equal((await login(attacker, 'K100000008', PASSWORD)).statusCode, 423, 'the guessing address is locked out');
  const holder = await login(new Browser(ctx.app, uniqueAddress()), 'K100000008', PASSWORD);
  t.equal(holder.statusCode, 303, 'the holder logs in from elsewhere');
  t.equal(holder.headers.location, '/account');
});

t.test('each wrong password doubles the wait before the next one is even checked', async (t) => {
  await makeAccount('L100000001');
  const browser = new Browser(ctx.app, uniqueAddress());
  t.equal((await login(browser, 'L100000001', 'Wrong1Password')).statusCode, 401);
  const tooSoon = await login(browser, 'L100000001', PASSWORD);
  t.equal(tooSoon.statusCode, 429, 'not checked, even though it is the right password');
  t.match(tooSoon.body, /請於 1 秒後再試（本次輸入未檢查）/);
  t.equal(tooSoon.headers['retry-after'], '1');
  for (const wait of [1, 2, 4, 8]) {
    clock.advance(wait * 1000 - 1);
    t.equal((await login(browser, 'L100000001', 'Wrong1Password')).statusCode, 429, `still waiting ${wait} s`);
    clock.advance(1);
    const counted = await login(browser, 'L100000001', 'Wrong1Password');
    t.equal(counted.statusCode, wait === 8 ? 423 : 401, `checked after ${wait} s`);
    if (wait < 8)
      t.match((await login(browser, 'L100000001', 'Wrong1Password')).body, new RegExp(`請於 ${wait * 2} 秒後再試`));
  }
  const attempts = await ctx.db.pool.query(
    "SELECT count(*)::int AS n FROM login_attempts a JOIN accounts c ON c.id = a.account_id WHERE c.id_number = $1 AND a.outcome IN ('wrong_password', 'locked_now')",
    ['L100000001'],
  );
  t.equal(attempts.rows[0].n, 5, 'only the attempts after each wait were checked');
});

t.test('an unknown ID number is slowed and locked exactly like a registered one', async (t) => {
  await makeAccount('M100000003');
  const known = new Browser(ctx.app, uniqueAddress());
  const unknown = new Browser(ctx.app, uniqueAddress());
  const summary = (body: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(body)?.[0];
  for (let i = 0; i < 5; i++) {
    const a = await login(known, 'M100000003', 'Wrong1Password');
    const b = await login(unknown, 'M199999999', 'Wrong1Password');
    t.equal(a.statusCode, b.statusCode, `attempt ${i + 1}: same status`);
    t.equal(
      summary(a.body)?.replace(/M100000003/g, 'ID'),
      summary(b.body)?.replace(/M199999999/g, 'ID'),
      `attempt ${i + 1}: same message`,
    );
    const again = [
      await login(known, 'M100000003', 'Wrong1Password'),
      await login(unknown, 'M199999999', 'Wrong1Password'),
    ];
    t.equal(again[0].statusCode, again[1].statusCode, `attempt ${i + 1} repeated at once: same status`);
    afterTheWait();
  }
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
  const weak = await here.post('/account/password', {
    _csrf: csrfFrom(page.body),
    currentPassword: PASSWORD,
    newPassword: 'short',
    newPasswordConfirm: 'short',
  });
  t.equal(weak.statusCode, 400);
  t.match(weak.body, /href="#newPassword"/);
  const wrongCurrent = await here.post('/account/password', {
    _csrf: csrfFrom(page.body),
    currentPassword: 'Nope1Nope1',
    newPassword: 'Another2Horse',
    newPasswordConfirm: 'Another2Horse',
  });
  t.match(wrongCurrent.body, /目前的密碼不正確/);
  afterTheWait();
  const ok = await here.post('/account/password', {
    _csrf: csrfFrom(page.body),
    currentPassword: PASSWORD,
    newPassword: 'Another2Horse',
    newPasswordConfirm: 'Another2Horse',
  });
  t.equal(ok.statusCode, 303);
  t.equal((await here.get('/account')).statusCode, 200, 'this session goes on');
  t.equal((await elsewhere.get('/account')).statusCode, 303, 'the other session ended');
  t.equal((await login(new Browser(ctx.app), 'J100000002', 'Another2Horse')).statusCode, 303);
});

t.test(
  'wrong current passwords on 我的帳號 are counted: five lock the password, on that form and at the login',
  async (t) => {
    await makeAccount('N100000005');
    const here = new Browser(ctx.app, uniqueAddress());
    t.equal((await login(here, 'N100000005', PASSWORD)).statusCode, 303);
    const page = await here.get('/account');
    const change = (currentPassword: string) =>
      here.post('/account/password', {
        _csrf: csrfFrom(page.body),
        currentPassword,
        newPassword: 'Another2Horse',
        newPasswordConfirm: 'Another2Horse',
      });
    for (let i = 0; i < 4; i++) {
      t.match((await change(`Guess${i}Guess`)).body, /目前的密碼不正確/);
      afterTheWait();
    }
    const fifth = await change('Guess4Guess');
    t.equal(fifth.statusCode, 423);
    t.match(fifth.body, /href="#currentPassword"/);
    t.match(fifth.body, /帳號已暫時鎖定密碼登入/);
    afterTheWait();
    const right = await change(PASSWORD);
    t.equal(right.statusCode, 423, 'even the right current password is not checked now');
    t.equal(
      (await login(new Browser(ctx.app, here.remoteAddress), 'N100000005', PASSWORD)).statusCode,
      423,
      'the login from that address is locked too',
    );
    t.equal(
      (await login(new Browser(ctx.app, uniqueAddress()), 'N100000005', 'Another2Horse')).statusCode,
      401,
      'the password did not change',
    );
  },
);
