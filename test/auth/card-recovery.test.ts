// 忘記密碼 and 解除密碼登入鎖定 proven with the bound card, through the certificate login's own steps (no-JS round trip
// through the signer's callback, or the page script's one POST): a new password meeting every rule, the lockout
// lifted, both audited; refusals as outcome pages; a card revoked meanwhile changes nothing.
import t from 'tap';
import { Browser, buildTestApp, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import {
  challengeFrom,
  demoCardVerifier,
  demoRevocationChecker,
  makeDemoPki,
  signWithCard,
} from '../helpers/demo-cards';
import { sessionCookieFor } from '../helpers/session';
import { accountsRepository, type Account } from '../../server/db/accounts-repository';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { bindingFor } from '../../server/auth/bind-certificate';
import { hashPassword } from '../../server/auth/passwords';
import { CHALLENGE_LIFETIME_MS } from '../../server/auth/challenges';
import { revokeDemoCard } from '../../demo-pki/demo-pki';

const demo = await makeDemoPki(new Date(), [
  { id: 'wang', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g3' },
  { id: 'wang-renewed', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g2' },
  { id: 'lin', purpose: 'citizen', holderName: '林美華', idNumber: 'F223456786', pin: '24681357', issuer: 'g3' },
  { id: 'huang', purpose: 'citizen', holderName: '黃志豪', idNumber: 'H124680240', pin: '975310', issuer: 'g3' },
  { id: 'zhou', purpose: 'citizen', holderName: '周怡君', idNumber: 'Q123456782', pin: '864200', issuer: 'g3' },
  { id: 'wu', purpose: 'citizen', holderName: '吳淑芬', idNumber: 'A223456781', pin: '112233', issuer: 'g2' },
  { id: 'stranger', purpose: 'citizen', holderName: '李大同', idNumber: 'K121234563', pin: '123456', issuer: 'g3' },
]);
t.teardown(demo.remove);
let pki = demo.pki;
const revocation = demoRevocationChecker(pki);
const clock = movableClock();
// No wait between wrong passwords: the doubling wait is tested in password-login.test.ts.
const ctx = await buildTestApp(
  { LOGIN_DELAY_SECONDS: '0' },
  { cardVerifier: demoCardVerifier(pki, revocation), now: clock.now },
);
t.teardown(ctx.close);
const PASSWORD = 'Harbour2Light';
const NEW_PASSWORD = 'Lantern7Quay';

async function registered(
  cardId: string,
  options: { status?: Account['status']; password?: string | null } = {},
): Promise<Account> {
  const card = pki.card(cardId);
  const account = (await accountsRepository(ctx.db.pool).insert({
    category: 'individual',
    idNumber: card.idNumber,
    name: card.holderName,
    birthDate: '1980-05-17',
    phone: '0912-345-678',
    address: '臺北市',
    email1: 'a@example.tw',
    email2: null,
    passwordHash: options.password === null ? null : await hashPassword(options.password ?? PASSWORD),
    status: options.status ?? 'active',
  }))!;
  const check = await ctx.app.cardVerifier.verifyCertificate(card.signingCertDer.toString('base64'), clock.now());
  if (!check.ok) throw new Error(`demo card ${cardId} does not verify: ${check.reason}`);
  await certificatesRepository(ctx.db.pool).bind(bindingFor(account.id, check.identity));
  return account;
}

const wang = await registered('wang');
const lin = await registered('lin', { status: 'suspended' });
const huang = await registered('huang');
const zhou = await registered('zhou');
const wu = await registered('wu', { password: null });

/** The page script's path: the start page, the card's signature, 送出 ④. */
async function proveWithScript(browser: Browser, start: string, cardId: string) {
  const page = await browser.get(start);
  const { tbs, nonce } = challengeFrom(page.body);
  return browser.post(start, { _csrf: csrfFrom(page.body), ...signWithCard(pki, cardId, tbs, nonce) });
}

/** The no-JS path: the PIN form goes to the signer, whose 確定 ③ posts cross-site (no cookie), then the completion GET. */
async function proveWithoutScript(browser: Browser, start: string, cardId: string) {
  const page = await browser.get(start);
  const { tbs, nonce } = challengeFrom(page.body);
  const callback = await ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...signWithCard(pki, cardId, tbs, nonce) }).toString(),
  });
  if (callback.statusCode !== 303) throw new Error(`callback refused (${callback.statusCode})`);
  return browser.get(callback.headers.location as string);
}

async function passwordLogin(idNumber: string, password: string, address = uniqueAddress()) {
  const browser = new Browser(ctx.app, address);
  const form = await browser.get('/login/password');
  return browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber, password });
}

async function auditOf(accountId: number, action: string) {
  const { rows } = await ctx.db.pool.query(
    'SELECT actor_account_id, details FROM audit_events WHERE subject_account_id = $1 AND action = $2 ORDER BY id',
    [accountId, action],
  );
  return rows as Array<{ actor_account_id: number; details: Record<string, unknown> }>;
}

t.test('帳號密碼登入 links to 忘記密碼 and 解除密碼登入鎖定', async (t) => {
  const page = await new Browser(ctx.app).get('/login/password');
  t.match(page.body, /<a href="\/login\/forgot-password">忘記密碼<\/a>/);
  t.match(page.body, /<a href="\/login\/unlock">解除密碼登入鎖定<\/a>/);
});

t.test('the 忘記密碼 page has the certificate login’s steps and a challenge of its own purpose', async (t) => {
  const page = await new Browser(ctx.app).get('/login/forgot-password');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<h1>忘記密碼<\/h1>/);
  t.match(page.body, /action="http:\/\/127\.0\.0\.1:61161\/nojs\/sign"/, 'the PIN form goes to the local signer');
  t.match(challengeFrom(page.body).tbs, /\npurpose: password-reset\n/);
  t.match(page.body, /<form method="post" action="\/login\/forgot-password" id="signed-form"/);
  t.match(page.body, /class="readiness__frame"/, 'the readiness box before the PIN');
  t.ok(page.body.indexOf('readiness__frame') < page.body.indexOf('id="pin"'));
});

t.test(
  '忘記密碼 with JavaScript: the card, then a new password; every broken rule at once; the old password no longer works',
  async (t) => {
    const other = new Browser(ctx.app);
    const cookie = await sessionCookieFor(ctx.db.pool, {
      accountId: wang.id,
      name: wang.name,
      role: 'citizen',
      method: 'password',
    });
    const [name, value] = cookie.split('=');
    other.cookies.set(name, value);
    t.equal((await other.get('/account')).statusCode, 200, 'another browser is logged in as the account');

    const browser = new Browser(ctx.app, uniqueAddress());
    const proven = await proveWithScript(browser, '/login/forgot-password', 'wang');
    t.equal(proven.statusCode, 303);
    t.equal(proven.headers.location, '/login/forgot-password/new');
    const form = await browser.get('/login/forgot-password/new');
    t.equal(form.statusCode, 200);
    t.match(form.body, /王小明/);
    t.match(form.body, /A12\*\*\*\*789/, 'the account, its ID masked');
    t.match(form.body, pki.card('wang').cardSerial, 'the card number');

    const weak = await browser.post('/login/forgot-password/new', {
      _csrf: csrfFrom(form.body),
      password: 'short',
      passwordConfirm: 'other',
    });
    t.equal(weak.statusCode, 400);
    for (const text of ['長度至少 8 碼', '至少 1 個數字', '至少 1 個大寫英文字母', '確認密碼與登入密碼不一致'])
      t.match(weak.body, text, `the summary says: ${text}`);
    t.match(weak.body, /<a href="#password">/);
    t.notMatch(weak.body, /value="short"/, 'the password is not kept');
    const withId = await browser.post('/login/forgot-password/new', {
      _csrf: csrfFrom(form.body),
      password: 'xA123456789x',
      passwordConfirm: 'xA123456789x',
    });
    t.equal(withId.statusCode, 400);
    t.match(withId.body, /不可包含身分證號/);

    const done = await browser.post('/login/forgot-password/new', {
      _csrf: csrfFrom(form.body),
      password: NEW_PASSWORD,
      passwordConfirm: NEW_PASSWORD,
    });
    t.equal(done.statusCode, 303);
    t.equal(done.headers.location, '/login/forgot-password/done');
    const donePage = await browser.get('/login/forgot-password/done');
    t.match(donePage.body, /密碼已重設/);
    t.match(donePage.body, /href="\/login\/password"/);

    t.equal((await passwordLogin('A123456789', PASSWORD)).statusCode, 401, 'the old password is refused');
    t.equal((await passwordLogin('A123456789', NEW_PASSWORD)).headers.location, '/account', 'the new one logs in');
    t.not((await other.get('/account')).statusCode, 200, 'the other session ended');
    const [event] = await auditOf(wang.id, 'password.reset');
    t.equal(event.actor_account_id, wang.id);
    t.match(event.details, { method: 'certificate', cardSerial: pki.card('wang').cardSerial, sessionsEnded: 1 });
    t.equal(typeof event.details.fingerprint, 'string');
    t.equal((await browser.get('/login/forgot-password/new')).headers.location, '/login/forgot-password', 'used once');
  },
);

t.test('忘記密碼 without JavaScript: the signer’s 確定 ③ leads to the new password page', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const completed = await proveWithoutScript(browser, '/login/forgot-password', 'huang');
  t.equal(completed.headers.location, '/login/forgot-password/new');
  const form = await browser.get('/login/forgot-password/new');
  t.match(form.body, /憑證載入完成。/);
  const done = await browser.post('/login/forgot-password/new', {
    _csrf: csrfFrom(form.body),
    password: NEW_PASSWORD,
    passwordConfirm: NEW_PASSWORD,
  });
  t.equal(done.headers.location, '/login/forgot-password/done');
  t.equal((await passwordLogin('H124680240', NEW_PASSWORD)).headers.location, '/account');
  t.equal((await auditOf(huang.id, 'password.reset')).length, 1);
});

t.test('a signature made for a login cannot reset a password', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const login = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(login.body);
  const page = await browser.get('/login/forgot-password');
  const res = await browser.post('/login/forgot-password', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'zhou', tbs, nonce),
  });
  t.equal(res.statusCode, 400);
  t.match(res.body, /簽章用途不符/);
  t.equal((await browser.get('/login/forgot-password/new')).headers.location, '/login/forgot-password');
});

t.test('cards that cannot recover an account get outcome pages with what to do next', async (t) => {
  const cases: Array<[string, number, RegExp, string]> = [
    ['stranger', 404, /此憑證尚未註冊/, 'register'],
    ['wang-renewed', 409, /這張新卡尚未綁定帳號/, 'support'],
    ['lin', 403, /您的帳號已停用/, 'support'],
    ['wu', 409, /此帳號只以憑證登入/, 'certificate_login'],
  ];
  for (const [cardId, status, title, step] of cases) {
    for (const start of ['/login/forgot-password', '/login/unlock']) {
      const res = await proveWithScript(new Browser(ctx.app, uniqueAddress()), start, cardId);
      t.equal(res.statusCode, status, `${cardId} at ${start}`);
      t.match(res.body, title);
      t.match(res.body, `data-step="${step}"`);
      t.notMatch(res.body, /id="pin"/, 'no PIN field in red: an outcome page');
    }
  }
  t.equal((await accountsRepository(ctx.db.pool).findById(wu.id))?.passwordHash, null, 'no password was given');
  t.equal((await auditOf(lin.id, 'account.unlock.card')).length, 0);
});

t.test('the new password must be set while the card’s challenge lives', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  await proveWithScript(browser, '/login/forgot-password', 'zhou');
  const form = await browser.get('/login/forgot-password/new');
  clock.advance(CHALLENGE_LIFETIME_MS + 1000);
  const late = await browser.post('/login/forgot-password/new', {
    _csrf: csrfFrom(form.body),
    password: NEW_PASSWORD,
    passwordConfirm: NEW_PASSWORD,
  });
  t.equal(late.headers.location, '/login/forgot-password');
  t.match((await browser.get('/login/forgot-password')).body, /憑證作業逾時/);
  t.equal((await passwordLogin('Q123456782', PASSWORD)).headers.location, '/account', 'the password is unchanged');
});

t.test('解除鎖定 with JavaScript: the bound card lifts an account-wide lock at once, audited', async (t) => {
  // Five wrong passwords from each of four addresses lock the password everywhere (LOGIN_ACCOUNT_MAX_FAILURES 4 × 5).
  const addresses = [uniqueAddress(), uniqueAddress(), uniqueAddress(), uniqueAddress()];
  for (const address of addresses)
    for (let i = 0; i < 5; i++) await passwordLogin('Q123456782', `Guess${i}Password`, address);
  const locked = await passwordLogin('Q123456782', PASSWORD);
  t.equal(locked.statusCode, 423, 'locked from a fifth address too');
  t.match(locked.body, /id="locked-notice"[\s\S]*?href="\/login\/unlock"/, 'the lock message offers the way out');

  const browser = new Browser(ctx.app, uniqueAddress());
  const res = await proveWithScript(browser, '/login/unlock', 'zhou');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/login/unlock/done');
  t.match((await browser.get('/login/unlock/done')).body, /已解除鎖定/);
  t.equal(
    (await passwordLogin('Q123456782', PASSWORD, addresses[0])).headers.location,
    '/account',
    'even from a locked address',
  );
  const { rows } = await ctx.db.pool.query('SELECT count(*)::int AS n FROM login_failures WHERE id_number = $1', [
    'Q123456782',
  ]);
  t.equal(rows[0].n, 0, 'every count and lock is gone');
  const [event] = await auditOf(zhou.id, 'account.unlock.card');
  t.equal(event.actor_account_id, zhou.id);
  t.match(event.details, { method: 'certificate', accountLocked: true, lockedSources: 4 });
  t.ok(event.details.lockedUntil, 'the lock it ended');
});

t.test('解除鎖定 without JavaScript: 確定 ③, then 送出 ④ on the portal’s page', async (t) => {
  for (let i = 0; i < 5; i++) await passwordLogin('Q123456782', `Guess${i}Password`, '10.200.0.1');
  t.equal((await passwordLogin('Q123456782', PASSWORD, '10.200.0.1')).statusCode, 423);
  const browser = new Browser(ctx.app, uniqueAddress());
  const completed = await proveWithoutScript(browser, '/login/unlock', 'zhou');
  t.equal(completed.headers.location, '/login/unlock/confirm');
  const confirm = await browser.get('/login/unlock/confirm');
  t.match(confirm.body, /Q12\*\*\*\*782/);
  t.match(confirm.body, /周怡君/);
  t.match(confirm.body, /④/);
  const done = await browser.post('/login/unlock/confirm', { _csrf: csrfFrom(confirm.body) });
  t.equal(done.headers.location, '/login/unlock/done');
  t.equal((await passwordLogin('Q123456782', PASSWORD, '10.200.0.1')).headers.location, '/account');
  t.equal((await auditOf(zhou.id, 'account.unlock.card')).length, 2);
});

t.test('解除鎖定 when nothing is locked says so, and is audited the same way', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  await proveWithScript(browser, '/login/unlock', 'huang');
  t.match((await browser.get('/login/unlock/done')).body, /目前沒有鎖定/);
  const events = await auditOf(huang.id, 'account.unlock.card');
  t.equal(events.length, 1);
  t.match(events[0].details, { accountLocked: false, lockedUntil: null });
});

t.test('a card revoked between its proof and the new password changes nothing', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  await proveWithScript(browser, '/login/forgot-password', 'zhou');
  const form = await browser.get('/login/forgot-password/new');
  pki = revokeDemoCard(pki.dir, 'zhou');
  revocation.clear();
  const res = await browser.post('/login/forgot-password/new', {
    _csrf: csrfFrom(form.body),
    password: NEW_PASSWORD,
    passwordConfirm: NEW_PASSWORD,
  });
  t.equal(res.statusCode, 403);
  t.match(res.body, /這張自然人憑證已被廢止或停用/);
  t.equal((await passwordLogin('Q123456782', NEW_PASSWORD)).statusCode, 401, 'the password did not change');
  t.equal((await auditOf(zhou.id, 'password.reset')).length, 0);
});
