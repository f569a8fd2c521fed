// A signed challenge's result lives as long as the challenge, counted from its issue: the no-JS chain (callback,
// completion, confirm, 送出) must end inside that life, and the card is checked for revocation once more when the
// session is created, the account written or a renewed card bound. Expired challenges are purged on a schedule.
import t from 'tap';
import { buildTestApp, Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import {
  challengeFrom,
  demoCardVerifier,
  demoRevocationChecker,
  makeDemoPki,
  signWithCard,
} from '../helpers/demo-cards';
import { detailsFor } from '../register/helpers';
import { accountsRepository } from '../../server/db/accounts-repository';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { challengesRepository } from '../../server/db/challenges-repository';
import { bindingFor } from '../../server/auth/bind-certificate';
import { hashPassword } from '../../server/auth/passwords';
import { CHALLENGE_LIFETIME_MS } from '../../server/auth/challenges';
import { parseSigningToken } from '../../server/auth/signing-token';
import { revokeDemoCard } from '../../demo-pki/demo-pki';
import { purgeExpiredRows } from '../../server/housekeeping';
import { startBackgroundServices } from '../../server/startup';

const demo = await makeDemoPki(new Date(), [
  { id: 'wang', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g3' },
  { id: 'wang-renewed', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g2' },
  { id: 'lin', purpose: 'citizen', holderName: '林美華', idNumber: 'F223456786', pin: '24681357', issuer: 'g3' },
  { id: 'huang', purpose: 'citizen', holderName: '黃志豪', idNumber: 'H124680240', pin: '975310', issuer: 'g3' },
  {
    id: 'chen',
    purpose: 'customs-specialist',
    holderName: '陳志明',
    idNumber: 'B120863158',
    pin: '13572468',
    issuer: 'g2',
  },
]);
t.teardown(demo.remove);
let pki = demo.pki;
const revocation = demoRevocationChecker(pki);

/** The portal's clock, moved by the tests instead of waiting. */
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);
t.beforeEach(() => {
  offsetMs = 0;
});

const ctx = await buildTestApp({}, { cardVerifier: demoCardVerifier(pki, revocation), now: clock });
t.teardown(ctx.close);
const PASSWORD = 'Harbour2Light';

async function registered(cardId: string) {
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
    passwordHash: await hashPassword(PASSWORD),
    status: 'active',
  }))!;
  const check = await engineVerify(card.signingCertDer.toString('base64'));
  await certificatesRepository(ctx.db.pool).bind(bindingFor(account.id, check));
  return account;
}

async function engineVerify(certificateBase64: string) {
  const result = await demoCardVerifier(pki).verifyCertificate(certificateBase64, new Date());
  if (!result.ok) throw new Error(`demo card does not verify: ${result.reason}`);
  return result.identity;
}

/** Revokes a demo card for real: a new CRL on disk, and the portal's CRL cache forgotten so it fetches that CRL. */
function revoke(cardId: string) {
  pki = revokeDemoCard(pki.dir, cardId);
  revocation.clear();
}

/** The no-JS login up to the completion GET: the signer's cross-site callback, then the browser follows its 303. */
async function signedWithoutJs(browser: Browser, cardId: string, startUrl = '/login/certificate') {
  const page = await browser.get(startUrl);
  const { tbs, nonce } = challengeFrom(page.body);
  const callback = await ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    remoteAddress: '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...signWithCard(pki, cardId, tbs, nonce) }).toString(),
  });
  if (callback.statusCode !== 303) throw new Error(`callback refused (${callback.statusCode})`);
  return callback.headers.location as string;
}

const loggedInAs = async (browser: Browser) => (await browser.get('/account')).statusCode === 200;

await registered('wang');
await registered('lin');
await registered('huang');

t.test('a completion code used after the challenge expired logs nobody in', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const completion = await signedWithoutJs(browser, 'wang');
  offsetMs = CHALLENGE_LIFETIME_MS + 60_000;
  const late = await browser.get(completion);
  t.equal(late.statusCode, 400);
  t.match(late.body, /憑證作業逾時/);
  t.notOk(await loggedInAs(browser));
});

t.test('送出 ④ after the challenge expired is refused, even though the completion was in time', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const completion = await signedWithoutJs(browser, 'wang');
  offsetMs = 60_000;
  t.equal((await browser.get(completion)).headers.location, '/login/certificate/confirm');
  const confirmPage = await browser.get('/login/certificate/confirm');
  t.equal(confirmPage.statusCode, 200);
  offsetMs = CHALLENGE_LIFETIME_MS + 1000;
  const submit = await browser.post('/login/certificate/confirm', { _csrf: csrfFrom(confirmPage.body) });
  t.equal(submit.headers.location, '/login/certificate');
  t.notOk(await loggedInAs(browser));
  t.match((await browser.get('/login/certificate')).body, /憑證作業逾時/);
});

t.test('a card revoked between signing and 送出 ④ does not log in', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const completion = await signedWithoutJs(browser, 'huang');
  const confirmPage = await browser.get(completion).then(() => browser.get('/login/certificate/confirm'));
  t.equal(confirmPage.statusCode, 200);
  revoke('huang');
  const submit = await browser.post('/login/certificate/confirm', { _csrf: csrfFrom(confirmPage.body) });
  t.equal(submit.statusCode, 403, 'an outcome page, not a way back to the PIN');
  t.match(submit.body, /這張自然人憑證已被廢止或停用/);
  t.notOk(await loggedInAs(browser));
  const attempts = await ctx.db.pool.query("SELECT outcome FROM login_attempts WHERE outcome = 'revoked'");
  t.ok(attempts.rowCount! >= 1, 'the refusal is in the login history');
});

t.test('a renewed card must be re-bound within the challenge lifetime', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const completion = await signedWithoutJs(browser, 'wang-renewed');
  await browser.get(completion);
  const confirmPage = await browser.get('/login/certificate/confirm');
  t.equal(
    (await browser.post('/login/certificate/confirm', { _csrf: csrfFrom(confirmPage.body) })).headers.location,
    '/login/rebind',
  );
  const rebindPage = await browser.get('/login/rebind');
  t.equal(rebindPage.statusCode, 200);
  offsetMs = CHALLENGE_LIFETIME_MS + 1000;
  const late = await browser.post('/login/rebind', { _csrf: csrfFrom(rebindPage.body), password: PASSWORD });
  t.equal(late.headers.location, '/login/certificate');
  t.notOk(await loggedInAs(browser));
  const account = (await accountsRepository(ctx.db.pool).findByIdNumber('A123456789'))!;
  const active = (await certificatesRepository(ctx.db.pool).listForAccount(account.id)).filter(
    (c) => c.unboundAt === null,
  );
  const renewed = await engineVerify(pki.card('wang-renewed').signingCertDer.toString('base64'));
  t.equal(active.length, 1);
  t.not(active[0].fingerprintSha256, renewed.fingerprintSha256, 'the renewed card was not bound');
});

/** The no-JS registration up to the confirm page. */
async function registrationAtConfirm(cardId: string) {
  const browser = new Browser(ctx.app, uniqueAddress());
  const card = pki.card(cardId);
  const form = await browser.get('/register/citizen');
  const step1 = await browser.post('/register/citizen', { _csrf: csrfFrom(form.body), ...detailsFor(card) });
  if (step1.headers.location !== '/register/citizen/certificate')
    throw new Error(`details refused (${step1.statusCode})`);
  const completion = await signedWithoutJs(browser, cardId, '/register/citizen/certificate');
  const completed = await browser.get(completion);
  if (completed.headers.location !== '/register/citizen/confirm')
    throw new Error(`card refused: ${completed.headers.location}`);
  const confirmPage = await browser.get('/register/citizen/confirm');
  if (confirmPage.statusCode !== 200) throw new Error(`no confirm page (${confirmPage.statusCode})`);
  return { browser, confirmPage, idNumber: card.idNumber };
}

const accountExists = async (idNumber: string) =>
  (await accountsRepository(ctx.db.pool).findByIdNumber(idNumber)) !== undefined;

t.test('a registration 送出 after the challenge expired writes nothing', async (t) => {
  await ctx.db.pool.query(
    "DELETE FROM certificates WHERE account_id IN (SELECT id FROM accounts WHERE id_number = 'F223456786')",
  );
  await ctx.db.pool.query("DELETE FROM accounts WHERE id_number = 'F223456786'");
  const { browser, confirmPage, idNumber } = await registrationAtConfirm('lin');
  offsetMs = CHALLENGE_LIFETIME_MS + 1000;
  const submit = await browser.post('/register/citizen/confirm', { _csrf: csrfFrom(confirmPage.body) });
  t.equal(submit.headers.location, '/register/citizen/certificate');
  t.match((await browser.get('/register/citizen/certificate')).body, /超過 5 分鐘未送出/);
  t.notOk(await accountExists(idNumber));
});

t.test('a card revoked between the certificate step and 送出 registers nothing', async (t) => {
  const { browser, confirmPage, idNumber } = await registrationAtConfirm('chen');
  revoke('chen');
  const submit = await browser.post('/register/citizen/confirm', { _csrf: csrfFrom(confirmPage.body) });
  t.equal(submit.statusCode, 403);
  t.match(submit.body, /這張自然人憑證已被廢止或停用/);
  t.match(submit.body, /data-step="renew_card"/);
  t.notOk(await accountExists(idNumber));
});

t.test('the signer’s cardSerial is not read: only the certificate names the card', async (t) => {
  const token = parseSigningToken({
    nonce: 'A'.repeat(43),
    signature: 'AAAA',
    certificate: 'AAAA',
    cardSerial: 'TP99999999999999',
  });
  t.ok(token);
  t.notOk(token && 'cardSerial' in token, 'the token carries no client-supplied card serial');
});

t.test('expired challenges are purged, live ones kept', async (t) => {
  const repo = challengesRepository(ctx.db.pool);
  const now = new Date();
  const base = { purpose: 'login' as const, origin: 'http://localhost:3000', sessionId: 'purge-test' };
  await repo.insert({
    ...base,
    nonce: 'purge-old'.padEnd(43, 'x'),
    createdAt: new Date(now.getTime() - 3 * CHALLENGE_LIFETIME_MS),
    expiresAt: new Date(now.getTime() - 2 * CHALLENGE_LIFETIME_MS),
  });
  await repo.insert({
    ...base,
    nonce: 'purge-recent'.padEnd(43, 'x'),
    createdAt: new Date(now.getTime() - CHALLENGE_LIFETIME_MS - 1000),
    expiresAt: new Date(now.getTime() - 1000),
  });
  await repo.insert({
    ...base,
    nonce: 'purge-live'.padEnd(43, 'x'),
    createdAt: now,
    expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_MS),
  });
  const purged = await purgeExpiredRows(ctx.db.pool, now);
  t.ok(purged.challenges >= 1);
  t.notOk(await repo.find('purge-old'.padEnd(43, 'x')), 'long expired: gone');
  t.ok(
    await repo.find('purge-recent'.padEnd(43, 'x')),
    'just expired: kept one lifetime, so a late user is told "timed out"',
  );
  t.ok(await repo.find('purge-live'.padEnd(43, 'x')), 'live: kept');
});

t.test('the portal purges expired challenges by itself on a schedule', async (t) => {
  const repo = challengesRepository(ctx.db.pool);
  const nonce = 'purge-scheduled'.padEnd(43, 'x');
  const issued = clock();
  await repo.insert({
    purpose: 'login',
    origin: 'http://localhost:3000',
    sessionId: 'purge-test',
    nonce,
    createdAt: issued,
    expiresAt: new Date(issued.getTime() + CHALLENGE_LIFETIME_MS),
  });
  // Three lifetimes pass on the portal's clock; only the scheduler's own short interval is waited for.
  offsetMs += 3 * CHALLENGE_LIFETIME_MS;
  const services = await startBackgroundServices(ctx.app, ctx.config, {
    housekeepingIntervalMs: 50,
    downloads: { log: () => {} },
  });
  t.teardown(() => services.stop());
  let gone = false;
  for (let i = 0; i < 100 && !gone; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    gone = (await repo.find(nonce)) === undefined;
  }
  t.ok(gone, 'deleted without anyone asking');
});
