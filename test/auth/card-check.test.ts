// POST /signing/card-check: the page script's question about a card it has just loaded, before 送出. The answer names
// the holder and card, or the outcome 送出 would meet (revoked, already registered, no account, under review); the
// challenge stays unused, so the same signature still logs in or registers; only this browser's own challenge counts.
import t from 'tap';
import { Browser, buildTestApp, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';
import { detailsFor } from '../register/helpers';
import { accountsRepository, type Account } from '../../server/db/accounts-repository';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { bindingFor } from '../../server/auth/bind-certificate';
import { hashPassword } from '../../server/auth/passwords';
import { CHALLENGE_LIFETIME_MS } from '../../server/auth/challenges';

const demo = await makeDemoPki(new Date(), [
  { id: 'wang', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g3' },
  { id: 'wang-renewed', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g2' },
  { id: 'lin', purpose: 'citizen', holderName: '林美華', idNumber: 'F223456786', pin: '24681357', issuer: 'g3' },
  {
    id: 'chen',
    purpose: 'customs-specialist',
    holderName: '陳志明',
    idNumber: 'B120863158',
    pin: '13572468',
    issuer: 'g2',
  },
  {
    id: 'zhang',
    purpose: 'revocation-test',
    holderName: '張雅婷',
    idNumber: 'E223456785',
    pin: '864200',
    issuer: 'g3',
    revoked: true,
  },
]);
t.teardown(demo.remove);
const pki = demo.pki;
const clock = movableClock();
const ctx = await buildTestApp({}, { cardVerifier: demoCardVerifier(pki), now: clock.now });
t.teardown(ctx.close);

async function registered(cardId: string, status: Account['status'] = 'active') {
  const card = pki.card(cardId);
  const account = (await accountsRepository(ctx.db.pool).insert({
    category: status === 'pending_review' ? 'customs_specialist' : 'individual',
    idNumber: card.idNumber,
    name: card.holderName,
    birthDate: '1980-05-17',
    phone: '0912-345-678',
    address: '臺北市',
    email1: 'a@example.tw',
    email2: null,
    passwordHash: await hashPassword('Harbour2Light'),
    status,
  }))!;
  const check = await ctx.app.cardVerifier.verifyCertificate(card.signingCertDer.toString('base64'), clock.now());
  if (!check.ok) throw new Error(`demo card ${cardId} does not verify: ${check.reason}`);
  await certificatesRepository(ctx.db.pool).bind(bindingFor(account.id, check.identity));
}

await registered('wang');
await registered('chen', 'pending_review');

/** A page with a signer form, the card's signature over its challenge, and the card check's answer. */
async function loadAndCheck(
  start: string,
  cardId: string,
  extra: Record<string, string> = {},
  browser = new Browser(ctx.app, uniqueAddress()),
) {
  const page = await browser.get(start);
  const { tbs, nonce } = challengeFrom(page.body);
  const token = signWithCard(pki, cardId, tbs, nonce);
  const csrf = csrfFrom(page.body);
  const res = await browser.post('/signing/card-check', { _csrf: csrf, ...token, ...extra });
  return { browser, res, answer: res.json() as Record<string, unknown>, token, csrf };
}

t.test('every certificate page asks for the check, at the same URL', async (t) => {
  for (const url of ['/login/certificate', '/register/citizen', '/login/forgot-password', '/login/unlock']) {
    const page = await new Browser(ctx.app).get(url);
    t.match(page.body, /data-signer-form[^>]*data-check-url="\/signing\/card-check"/, url);
  }
});

t.test('a good card at the login: its holder, number and validity; the signature then still logs in', async (t) => {
  const { browser, res, answer, token, csrf } = await loadAndCheck('/login/certificate', 'wang');
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'no-store');
  t.match(answer, {
    status: 'ok',
    holder: '王小明',
    cardSerial: pki.card('wang').cardSerial,
    message: '持卡人 王小明 的自然人憑證可以使用。',
    labels: { holder: '持卡人', cardSerial: '卡號' },
  });
  t.match(answer.validUntil, /^\d{4}-\d{2}-\d{2}$/);
  t.notOk(answer.note);
  const login = await browser.post('/login/certificate', { _csrf: csrf, ...token });
  t.equal(login.headers.location, '/account', 'the challenge was not used by the check');
});

t.test('a revoked card: the outcome and its next steps, before 送出', async (t) => {
  const { answer } = await loadAndCheck('/login/certificate', 'zhang');
  t.match(answer, {
    status: 'outcome',
    reason: 'revoked',
    title: '這張自然人憑證已被廢止或停用',
    hint: '這不是操作錯誤：重新輸入 PIN碼 也不會改變結果。',
    labels: { otherCard: '改用另一張卡片' },
  });
  const steps = answer.steps as Array<{ step: string; href?: string; text: string }>;
  t.same(
    steps.map((s) => [s.step, s.href ?? null]),
    [
      ['renew_card', '/login/certificate'],
      ['password_login', '/login/password'],
      ['support', null],
    ],
  );
  t.match(steps[2].text, /\(02\)2345-6789/, 'the 客服 contact');
});

t.test('a card bound to no account at the login: 前往帳號註冊', async (t) => {
  const { answer } = await loadAndCheck('/login/certificate', 'lin');
  t.match(answer, { status: 'outcome', reason: 'unknown_certificate', holder: '林美華' });
  t.match(answer.text, /林美華 的自然人憑證還沒有綁定/);
  t.ok((answer.steps as Array<{ href?: string }>).some((s) => s.href === '/register'));
});

t.test('an account under review at the login: the outcome, with the card named', async (t) => {
  const { answer } = await loadAndCheck('/login/certificate', 'chen');
  t.match(answer, { status: 'outcome', reason: 'account_pending', holder: '陳志明', title: '您的帳號正在審核中' });
});

t.test('a renewed card at the login: good, with a word about the password to come', async (t) => {
  const { answer } = await loadAndCheck('/login/certificate', 'wang-renewed');
  t.match(answer, { status: 'ok', holder: '王小明', note: /換發的新卡/ });
});

t.test('registration: a card already registered is 直接登入 before any 送出', async (t) => {
  const { answer } = await loadAndCheck('/register/citizen', 'wang');
  t.match(answer, { status: 'outcome', reason: 'certificate_already_registered', title: '這張自然人憑證已註冊' });
  const steps = answer.steps as Array<{ step: string; href?: string }>;
  t.match(steps[0], { step: 'certificate_login', href: '/login/certificate' });
});

t.test('registration: the details typed on the one-page form are compared with the card', async (t) => {
  const lin = pki.card('lin');
  const fields = (overrides: Record<string, string> = {}) => {
    const { category, name, idNumber } = detailsFor(lin, overrides);
    return { category, name, idNumber };
  };
  t.match((await loadAndCheck('/register/citizen', 'lin', fields())).answer, { status: 'ok', holder: '林美華' });
  const mismatch = (await loadAndCheck('/register/citizen', 'lin', fields({ name: '林美玲' }))).answer;
  t.match(mismatch, { status: 'mismatch', reason: 'name_mismatch', holder: '林美華' });
  t.match(mismatch.message, /聯絡人姓名須與自然人憑證上的姓名相同/);
  const taken = (
    await loadAndCheck('/register/citizen', 'lin', fields({ idNumber: 'A123456789', category: 'customs_specialist' }))
  ).answer;
  t.match(taken, { status: 'mismatch', reason: 'id_last4_mismatch' }, 'an ID of another person: the last four first');
  t.match(
    (await loadAndCheck('/register/citizen', 'lin', fields({ idNumber: 'not an id' }))).answer,
    { status: 'ok' },
    'unchecked details are left to 送出',
  );
});

t.test('registration without JavaScript’s details: the draft is the applicant', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const form = await browser.get('/register/citizen');
  await browser.post('/register/citizen', {
    _csrf: csrfFrom(form.body),
    ...detailsFor(pki.card('lin'), { name: '林美玲' }),
  });
  const { answer } = await loadAndCheck('/register/citizen/certificate', 'lin', {}, browser);
  t.match(answer, { status: 'mismatch', reason: 'name_mismatch' });
});

t.test('忘記密碼: a card bound to no account is told at once', async (t) => {
  const { answer } = await loadAndCheck('/login/forgot-password', 'lin');
  t.match(answer, { status: 'outcome', reason: 'unknown_certificate' });
  t.match((await loadAndCheck('/login/unlock', 'wang')).answer, { status: 'ok', holder: '王小明' });
});

t.test('only a signature over this browser’s own live, unused challenge is looked at', async (t) => {
  const owner = new Browser(ctx.app, uniqueAddress());
  const page = await owner.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const token = signWithCard(pki, 'wang', tbs, nonce);
  const other = new Browser(ctx.app, uniqueAddress());
  const otherPage = await other.get('/login/certificate');
  const foreign = await other.post('/signing/card-check', { _csrf: csrfFrom(otherPage.body), ...token });
  t.match(foreign.json(), { status: 'refused', reason: 'challenge_foreign_session' });
  t.notOk((foreign.json() as Record<string, unknown>).holder, 'nothing about the card');

  const forged = await owner.post('/signing/card-check', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'wang', `${tbs}x`, nonce),
  });
  t.match(forged.json(), { status: 'refused', reason: 'signature_invalid', message: /簽章驗證失敗/ });

  // 送出 with a card bound to no account uses the challenge (and, refused, leaves the session as it was).
  const unknown = signWithCard(pki, 'lin', tbs, nonce);
  t.equal((await owner.post('/login/certificate', { _csrf: csrfFrom(page.body), ...unknown })).statusCode, 404);
  const used = await owner.post('/signing/card-check', { _csrf: csrfFrom(page.body), ...unknown });
  t.match(used.json(), { status: 'refused', reason: 'challenge_used' });

  const late = new Browser(ctx.app, uniqueAddress());
  const latePage = await late.get('/login/certificate');
  const lateChallenge = challengeFrom(latePage.body);
  clock.advance(CHALLENGE_LIFETIME_MS + 1000);
  const expired = await late.post('/signing/card-check', {
    _csrf: csrfFrom(latePage.body),
    ...signWithCard(pki, 'wang', lateChallenge.tbs, lateChallenge.nonce),
  });
  t.match(expired.json(), { status: 'refused', reason: 'challenge_expired' });
});

t.test('the check needs the page’s CSRF token and a well-formed token', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const noCsrf = await browser.post('/signing/card-check', { ...signWithCard(pki, 'wang', tbs, nonce) });
  t.equal(noCsrf.statusCode, 403);
  const malformed = await browser.post('/signing/card-check', { _csrf: csrfFrom(page.body), nonce: 'short' });
  t.equal(malformed.statusCode, 400);
  t.match(malformed.json(), { status: 'refused', reason: 'token_malformed' });
});

t.test('the answer is in the page’s language', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  browser.cookies.set('lang', 'en');
  const { answer } = await loadAndCheck('/login/certificate', 'zhang', {}, browser);
  t.match(answer, {
    title: 'This Citizen Digital Certificate has been revoked or suspended',
    labels: { otherCard: 'Use another card' },
  });
});
