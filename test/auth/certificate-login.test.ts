import t from 'tap';
import { buildTestApp, Browser, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { makeDemoPki, signWithCard, challengeFrom, demoCardVerifier } from '../helpers/demo-cards';
import { buildApp } from '../../server/app';
import { accountsRepository } from '../../server/db/accounts-repository';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { bindingFor } from '../../server/auth/bind-certificate';
import { hashPassword } from '../../server/auth/passwords';
import { readProfile, parseCertificate } from '../../server/pki/index';
import { TEST_SESSION_SECRET } from '../helpers/session';
import { CHALLENGE_LIFETIME_MS } from '../../server/auth/challenges';
import type { CertificateIdentity } from '../../server/auth/certificate-identity';

// Two cards for one person: the second stands for a renewed card (same name, same ID last four).
const demo = await makeDemoPki(new Date(), [
  { id: 'wang', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g3' },
  { id: 'wang-renewed', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g2' },
  { id: 'huang', purpose: 'citizen', holderName: '黃建國', idNumber: 'H123456786', pin: '135790', issuer: 'g3' },
  {
    id: 'huang-renewed',
    purpose: 'citizen',
    holderName: '黃建國',
    idNumber: 'H123456786',
    pin: '135790',
    issuer: 'g2',
  },
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
    id: 'revoked',
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

const verifier = demoCardVerifier(pki);
const clock = movableClock();
const ctx = await buildTestApp({}, { cardVerifier: verifier, now: clock.now });
t.teardown(ctx.close);
const PASSWORD = 'Harbour2Light';

function identityOf(cardId: string): CertificateIdentity {
  const der = pki.card(cardId).signingCertDer;
  const parsed = parseCertificate(der);
  if (!parsed.ok) throw new Error('demo card does not parse');
  const p = readProfile(parsed.cert);
  return {
    fingerprintSha256: p.fingerprint,
    issuerDn: p.issuer,
    serialHex: p.serial,
    subjectCn: p.commonName ?? '',
    subjectSerial: p.subjectSerialNumber ?? null,
    idLast4: p.idLast4 ?? null,
    cardSerial: p.cardSerial ?? null,
    notBefore: p.notBefore.toISOString(),
    notAfter: p.notAfter.toISOString(),
    derBase64: der.toString('base64'),
  };
}

async function registered(cardId: string, status: 'active' | 'pending_review' | 'suspended' = 'active') {
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
    passwordHash: await hashPassword(PASSWORD),
    status,
  }))!;
  await certificatesRepository(ctx.db.pool).bind(bindingFor(account.id, identityOf(cardId)));
  return account;
}

/** The no-JS round trip: the portal's page, the signer's signature, the cross-site callback, the completion GET. */
async function signInWithoutJs(browser: Browser, cardId: string, which: 'signing' | 'encryption' = 'signing') {
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const token = signWithCard(pki, cardId, tbs, nonce, which);
  // The signer's page posts cross-site: no session cookie goes with it.
  const callback = await ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...token }).toString(),
  });
  return { callback, token };
}

const accountWang = await registered('wang');
await registered('lin', 'suspended');
await registered('chen', 'pending_review');

t.test(
  'without JavaScript: PIN form to the signer, callback, 憑證載入完成, 送出 logs in with the certificate',
  async (t) => {
    const browser = new Browser(ctx.app);
    const page = await browser.get('/login/certificate');
    t.match(page.body, /action="http:\/\/127\.0\.0\.1:61161\/nojs\/sign"/, 'the PIN form posts to the local signer');
    const { callback } = await signInWithoutJs(browser, 'wang');
    t.equal(callback.statusCode, 303);
    t.match(callback.headers.location, /^\/signing\/complete\?code=/);
    t.equal(callback.cookies.length, 0, 'the callback sets no cookie');
    const complete = await browser.get(callback.headers.location as string);
    t.equal(complete.headers.location, '/login/certificate/confirm');
    const confirm = await browser.get('/login/certificate/confirm');
    t.match(confirm.body, /憑證載入完成。/);
    t.match(confirm.body, /王小明/);
    const submit = await browser.post('/login/certificate/confirm', { _csrf: csrfFrom(confirm.body) });
    t.equal(submit.statusCode, 303);
    t.equal(submit.headers.location, '/account');
    const account = await browser.get('/account');
    t.match(account.body, /自然人憑證/);
    const history = await ctx.db.pool.query(
      'SELECT method, success FROM login_attempts WHERE account_id = $1 AND success',
      [accountWang.id],
    );
    t.ok(history.rows.some((r) => r.method === 'certificate'));
  },
);

/** Wrong passwords for an ID number at 帳號密碼登入 from one address, each after the lockout's wait. */
async function wrongPasswords(idNumber: string, address: string, count: number) {
  const browser = new Browser(ctx.app, address);
  for (let i = 0; i < count; i++) {
    const form = await browser.get('/login/password');
    await browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber, password: `Guess${i}Password` });
    clock.advance(16_000); // past the longest wait before a fifth attempt (8 s), so twenty fit in one 15-minute window
  }
}

async function passwordLogin(idNumber: string, password: string, address = uniqueAddress()) {
  const browser = new Browser(ctx.app, address);
  const form = await browser.get('/login/password');
  return browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber, password });
}

async function cardLogin(cardId: string) {
  const browser = new Browser(ctx.app, uniqueAddress());
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  return browser.post('/login/certificate', { _csrf: csrfFrom(page.body), ...signWithCard(pki, cardId, tbs, nonce) });
}

t.test(
  'five wrong passwords for an ID number (no card needed) do not keep its holder from logging in with the card',
  async (t) => {
    await wrongPasswords('A123456789', uniqueAddress(), 5);
    const res = await cardLogin('wang');
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, '/account');
  },
);

t.test(
  'even a password lock from many addresses leaves the card login open, and the card login lifts it',
  async (t) => {
    // LOGIN_ACCOUNT_MAX_FAILURES defaults to 4 × 5: four addresses with five guesses each lock the password everywhere.
    for (let i = 0; i < 4; i++) await wrongPasswords('A123456789', uniqueAddress(), 5);
    t.equal(
      (await passwordLogin('A123456789', PASSWORD)).statusCode,
      423,
      'the password is locked from a fifth address too',
    );
    const res = await cardLogin('wang');
    t.equal(res.headers.location, '/account', 'the card logs in');
    t.equal(
      (await passwordLogin('A123456789', PASSWORD)).statusCode,
      303,
      'and the password works again from elsewhere',
    );
  },
);

t.test('a signing result cannot be completed in another browser session', async (t) => {
  const victim = new Browser(ctx.app);
  const { callback } = await signInWithoutJs(victim, 'wang');
  const attacker = new Browser(ctx.app);
  await attacker.get('/login');
  const stolen = await attacker.get(callback.headers.location as string);
  t.equal(stolen.statusCode, 403);
  t.match(stolen.body, /不屬於您目前的瀏覽器/);
  const again = await victim.get(callback.headers.location as string);
  t.equal(again.statusCode, 303, 'the owner can still complete it');
});

t.test('a completion code is used once', async (t) => {
  const browser = new Browser(ctx.app);
  const { callback } = await signInWithoutJs(browser, 'wang');
  await browser.get(callback.headers.location as string);
  const twice = await browser.get(callback.headers.location as string);
  t.equal(twice.statusCode, 400);
});

t.test('with JavaScript: the signature posts to the portal once and logs in; a replay is refused', async (t) => {
  const browser = new Browser(ctx.app);
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const token = signWithCard(pki, 'wang', tbs, nonce);
  const res = await browser.post('/login/certificate', { _csrf: csrfFrom(page.body), ...token });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
  const replay = new Browser(ctx.app);
  const other = await replay.get('/login/certificate');
  const again = await replay.post('/login/certificate', { _csrf: csrfFrom(other.body), ...token });
  t.equal(again.statusCode, 400);
  t.match(again.body, /已使用過|不屬於您目前/);
});

t.test('an expired challenge is refused', async (t) => {
  const browser = new Browser(ctx.app);
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  clock.advance(CHALLENGE_LIFETIME_MS + 1000);
  const res = await browser.post('/login/certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'wang', tbs, nonce),
  });
  t.equal(res.statusCode, 400);
  t.match(res.body, /逾時/);
});

t.test('the encryption certificate is refused', async (t) => {
  const browser = new Browser(ctx.app);
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await browser.post('/login/certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'wang', tbs, nonce, 'encryption'),
  });
  t.equal(res.statusCode, 400);
  t.match(res.body, /加密|簽章用/);
});

t.test('a revoked card gets an outcome page (廢止) with the next steps, not a PIN error', async (t) => {
  const browser = new Browser(ctx.app);
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await browser.post('/login/certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'revoked', tbs, nonce),
  });
  t.equal(res.statusCode, 403);
  t.match(res.body, /廢止/);
  t.match(res.body, /data-reason="revoked"/);
  t.match(
    res.body,
    /data-step="renew_card">\s*<a href="\/login\/certificate">換發新卡/,
    '換發新卡 leads to the rebind path',
  );
  t.match(res.body, /href="\/login\/password"/, 'the password login is offered');
  t.notMatch(res.body, /id="pin"/, 'no PIN field');
  t.notMatch(res.body, /field--error/, 'nothing in red');
});

t.test('an unknown certificate gets a message with a link to registration', async (t) => {
  const unknown = await makeDemoPki(new Date(), [
    { id: 'x', purpose: 'citizen', holderName: '李大同', idNumber: 'K121234563', pin: '123456', issuer: 'g3' },
  ]);
  t.teardown(unknown.remove);
  const app = await buildApp({
    config: ctx.config,
    pool: ctx.db.pool,
    sessionSecret: TEST_SESSION_SECRET,
    cardVerifier: demoCardVerifier(unknown.pki),
  });
  t.teardown(() => app.close());
  const browser = new Browser(app);
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await browser.post('/login/certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(unknown.pki, 'x', tbs, nonce),
  });
  t.equal(res.statusCode, 404);
  t.match(res.body, /尚未註冊/);
  t.match(res.body, /href="\/register"/);
});

t.test('suspended and pending accounts get outcome pages with their own messages and next steps', async (t) => {
  for (const [card, text, step] of [
    ['lin', /您的帳號已停用/, 'support'],
    ['chen', /您的帳號正在審核中/, 'wait_review'],
  ] as const) {
    const browser = new Browser(ctx.app);
    const page = await browser.get('/login/certificate');
    const { tbs, nonce } = challengeFrom(page.body);
    const res = await browser.post('/login/certificate', {
      _csrf: csrfFrom(page.body),
      ...signWithCard(pki, card, tbs, nonce),
    });
    t.equal(res.statusCode, 403);
    t.match(res.body, text);
    t.match(res.body, `data-step="${step}"`);
    t.match(res.body, /href="tel:/, 'the service desk’s phone');
    t.notMatch(res.body, /id="pin"/, 'no PIN field');
  }
});

t.test('without JavaScript an account refused is told right after the signer’s 確定 ③, not after 送出 ④', async (t) => {
  const browser = new Browser(ctx.app);
  const { callback } = await signInWithoutJs(browser, 'chen');
  const complete = await browser.get(callback.headers.location as string);
  t.equal(complete.statusCode, 403);
  t.match(complete.body, /您的帳號正在審核中/);
  t.match(complete.body, /陳志明/, 'the card’s holder is named');
  const confirm = await browser.get('/login/certificate/confirm');
  t.equal(confirm.headers.location, '/login/certificate', 'nothing waits for 送出 ④');
});

t.test('a challenge issued by one instance verifies on another sharing the database', async (t) => {
  const second = await buildApp({
    config: ctx.config,
    pool: ctx.db.pool,
    sessionSecret: TEST_SESSION_SECRET,
    cardVerifier: verifier,
    now: clock.now,
  });
  t.teardown(() => second.close());
  const one = new Browser(ctx.app);
  const page = await one.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const two = new Browser(second);
  two.cookies = one.cookies; // the load balancer sends the same browser to the other instance
  const res = await two.post('/login/certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'wang', tbs, nonce),
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
});

t.test('a renewed card is bound after the password is confirmed, keeping the old binding as history', async (t) => {
  const browser = new Browser(ctx.app);
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await browser.post('/login/certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'wang-renewed', tbs, nonce),
  });
  t.equal(res.headers.location, '/login/rebind');
  const rebind = await browser.get('/login/rebind');
  t.match(rebind.body, /A12\*\*\*\*789/);
  const wrong = await browser.post('/login/rebind', { _csrf: csrfFrom(rebind.body), password: 'Wrong1Password' });
  t.equal(wrong.statusCode, 401);
  clock.advance(61_000); // past the password lockout's wait after a wrong password
  const ok = await browser.post('/login/rebind', { _csrf: csrfFrom(rebind.body), password: PASSWORD });
  t.equal(ok.statusCode, 303);
  const certificates = await certificatesRepository(ctx.db.pool).listForAccount(accountWang.id);
  t.equal(certificates.length, 2);
  t.equal(certificates.filter((c) => c.unboundAt === null).length, 1);
  t.equal(certificates.find((c) => c.unboundAt !== null)?.unboundReason, 'renewed');
  // The new card now logs in directly.
  const next = new Browser(ctx.app);
  const p2 = await next.get('/login/certificate');
  const c2 = challengeFrom(p2.body);
  const direct = await next.post('/login/certificate', {
    _csrf: csrfFrom(p2.body),
    ...signWithCard(pki, 'wang-renewed', c2.tbs, c2.nonce),
  });
  t.equal(direct.headers.location, '/account');
});

t.test('a renewed card bound by another account first is refused, and the old card stays bound', async (t) => {
  const huang = await registered('huang');
  const browser = new Browser(ctx.app);
  const page = await browser.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await browser.post('/login/certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'huang-renewed', tbs, nonce),
  });
  t.equal(res.headers.location, '/login/rebind');
  const rebind = await browser.get('/login/rebind');
  // Between the card's signature and the password, the same certificate is bound to another account.
  const other = (await accountsRepository(ctx.db.pool).insert({
    category: 'individual',
    idNumber: 'K123456788',
    name: '另一人',
    birthDate: '1970-01-01',
    phone: '0912-000-000',
    address: '臺中市',
    email1: 'k@example.tw',
    email2: null,
    passwordHash: await hashPassword(PASSWORD),
    status: 'active',
  }))!;
  t.ok(await certificatesRepository(ctx.db.pool).bind(bindingFor(other.id, identityOf('huang-renewed'))));
  const taken = await browser.post('/login/rebind', { _csrf: csrfFrom(rebind.body), password: PASSWORD });
  t.equal(taken.statusCode, 409);
  const certificates = await certificatesRepository(ctx.db.pool).listForAccount(huang.id);
  t.equal(certificates.length, 1, 'no binding was added');
  t.equal(certificates[0].unboundAt, null, 'the old card is still bound: its unbinding rolled back');
  t.equal(certificates[0].fingerprintSha256, identityOf('huang').fingerprintSha256);
});

t.test('a card verified without JavaScript must be confirmed while its challenge lives', async (t) => {
  const browser = new Browser(ctx.app);
  const { callback } = await signInWithoutJs(browser, 'wang');
  await browser.get(callback.headers.location as string);
  clock.advance(CHALLENGE_LIFETIME_MS + 1000);
  const confirm = await browser.get('/login/certificate/confirm');
  t.equal(confirm.headers.location, '/login/certificate');
  const start = await browser.get('/login/certificate');
  t.match(start.body, /逾時/);
});
