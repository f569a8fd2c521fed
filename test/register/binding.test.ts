// The binding rules (DESIGN.md §3), each refusal with its own message, on both paths: the JavaScript one-page POST and
// the no-JS round trip (where the refusal comes back on the certificate page, before anything is written).
import t from 'tap';
import { Browser, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { CHALLENGE_LIFETIME_MS } from '../../server/auth/challenges';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard, type SignedToken } from '../helpers/demo-cards';
import { buildRegisterApp, detailsFor, nationalIdEndingIn } from './helpers';
import { accountsRepository } from '../../server/db/accounts-repository';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const pki = demo.pki;
// Another PKI with the same profile, names and ID numbers: its root is not one the portal trusts.
const foreign = await makeDemoPki(new Date(), [
  {
    id: 'wang-xiaoming',
    purpose: 'citizen',
    holderName: '王小明',
    idNumber: 'A123456789',
    pin: '123456',
    issuer: 'g3',
  },
]);
t.teardown(foreign.remove);
// The portal's clock: a test lets a challenge expire by moving it, not by waiting or back-dating the session.
const clock = movableClock();
const ctx = await buildRegisterApp(demoCardVerifier(pki), {}, clock.now);
t.teardown(ctx.close);

const wang = pki.card('wang-xiaoming');
const lin = pki.card('lin-meihua');
const revoked = pki.card('zhang-yating');

type Sign = (tbs: string, nonce: string) => SignedToken;
const card =
  (id: string, which: 'signing' | 'encryption' = 'signing'): Sign =>
  (tbs, nonce) =>
    signWithCard(pki, id, tbs, nonce, which);

/** The one-page form: details and signature in one POST. */
async function registerWithJs(details: Record<string, string>, sign: Sign) {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  return client.post('/register/citizen', { _csrf: csrfFrom(page.body), ...details, ...sign(tbs, nonce) });
}

/** The no-JS steps up to the completion GET; returns the client and where it was sent. */
async function registerWithoutJs(details: Record<string, string>, sign: Sign) {
  const client = new Browser(ctx.app, uniqueAddress());
  const form = await client.get('/register/citizen');
  const step1 = await client.post('/register/citizen', { _csrf: csrfFrom(form.body), ...details });
  if (step1.statusCode !== 303) throw new Error(`details refused (${step1.statusCode})`);
  const page = await client.get('/register/citizen/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const back = await ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    remoteAddress: '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...sign(tbs, nonce) }).toString(),
  });
  if (back.statusCode !== 303) throw new Error(`callback refused (${back.statusCode})`);
  const completed = await client.get(back.headers.location as string);
  return { client, completed };
}

async function accountCount(idNumber: string) {
  return (await ctx.db.pool.query('SELECT count(*)::int AS n FROM accounts WHERE id_number = $1', [idNumber])).rows[0]
    .n;
}

const RULES: Array<{
  rule: string;
  details: Record<string, string>;
  sign: Sign;
  zh: RegExp;
  en: RegExp;
  status?: number;
}> = [
  {
    rule: 'for 個人 the name must be the certificate holder’s',
    details: detailsFor(wang, { name: '王大明' }),
    sign: card('wang-xiaoming'),
    zh: /聯絡人姓名須與自然人憑證上的姓名相同/,
    en: /contact name must be the name on the Citizen Digital Certificate/,
  },
  {
    rule: 'the last four digits of the ID number must match the certificate',
    details: detailsFor(lin, { name: '王小明' }),
    sign: card('wang-xiaoming'),
    zh: /身分證號末四碼與您輸入的身分證號不符/,
    en: /last four digits of the ID number on the Citizen Digital Certificate do not match/,
  },
  {
    rule: 'the encryption certificate of the card is refused',
    details: detailsFor(wang),
    sign: card('wang-xiaoming', 'encryption'),
    zh: /加密用憑證[\s\S]{0,20}簽章用憑證/,
    en: /encryption certificate/,
  },
  {
    rule: 'a signature that does not verify is refused',
    details: detailsFor(wang),
    sign: (tbs, nonce) => signWithCard(pki, 'wang-xiaoming', `${tbs}\nsomething else`, nonce),
    zh: /簽章驗證失敗/,
    en: /The signature does not verify/,
  },
  {
    // Same CA names as the trusted demo CAs, other keys: the path is built by name and the issuer's signature fails.
    rule: 'a certificate from a look-alike CA is refused',
    details: detailsFor(wang),
    sign: (tbs, nonce) => signWithCard(foreign.pki, 'wang-xiaoming', tbs, nonce),
    zh: /此憑證的簽發簽章無法驗證/,
    en: /signature on this certificate does not verify/,
  },
];

for (const { rule, details, sign, zh, en } of RULES) {
  t.test(`${rule}, with JavaScript`, async (t) => {
    const res = await registerWithJs(details, sign);
    t.equal(res.statusCode, 400);
    t.match(res.body, zh);
    t.match(res.body, /<div class="error-summary"[\s\S]*?href="#pin"/, 'in the summary, linking to the PIN');
    t.match(res.body, /id="pin-error"/, 'and at the PIN field');
    t.match(res.body, new RegExp(`value="${details.idNumber}"`), 'the details are kept');
    t.notMatch(res.body, /Harbour2Light/);
    t.equal(await accountCount(details.idNumber), 0);
  });

  t.test(`${rule}, without JavaScript, back on the certificate page`, async (t) => {
    const { client, completed } = await registerWithoutJs(details, sign);
    t.equal(completed.statusCode, 303);
    t.equal(completed.headers.location, '/register/citizen/certificate');
    const page = await client.get('/register/citizen/certificate');
    t.match(page.body, zh);
    t.match(page.body, /<div class="error-summary"[\s\S]*?href="#pin"/);
    t.match(page.body, /href="\/register\/citizen\?edit=1"/, 'a way back to change the details');
    t.equal(
      (await client.get('/register/citizen/confirm')).headers.location,
      '/register/citizen/certificate',
      'no confirm page',
    );
    t.equal(await accountCount(details.idNumber), 0);
    const again = await client.get('/register/citizen/certificate');
    t.notMatch(again.body, zh, 'the message is shown once');
  });

  t.test(`${rule}: the message in English`, async (t) => {
    const client = new Browser(ctx.app, uniqueAddress());
    client.cookies.set('lang', 'en');
    const page = await client.get('/register/citizen');
    const { tbs, nonce } = challengeFrom(page.body);
    const res = await client.post('/register/citizen', { _csrf: csrfFrom(page.body), ...details, ...sign(tbs, nonce) });
    t.equal(res.statusCode, 400);
    t.match(res.body, en);
  });
}

// A revoked card is not something to fix at the form: an outcome page with 換發新卡 and the 客服 contact.
t.test('a revoked card gets an outcome page with the next steps, with JavaScript', async (t) => {
  const res = await registerWithJs(detailsFor(revoked), card('zhang-yating'));
  t.equal(res.statusCode, 403);
  t.match(res.body, /這張自然人憑證已被廢止或停用/);
  t.match(res.body, /data-step="renew_card"/);
  t.match(res.body, /data-step="support"/);
  t.notMatch(res.body, /id="pin-error"/, 'no error at the PIN');
  t.notMatch(res.body, /Harbour2Light/);
  t.equal(await accountCount(revoked.idNumber), 0);
});

t.test('a revoked card gets the outcome page right after the signer’s 確定, without JavaScript', async (t) => {
  const { client, completed } = await registerWithoutJs(detailsFor(revoked), card('zhang-yating'));
  t.equal(completed.statusCode, 403);
  t.match(completed.body, /這張自然人憑證已被廢止或停用/);
  t.match(completed.body, /重新輸入 PIN碼 也不會改變結果/);
  t.equal(
    (await client.get('/register/citizen/confirm')).headers.location,
    '/register/citizen/certificate',
    'no confirm page',
  );
  t.equal(await accountCount(revoked.idNumber), 0);
});

t.test('a revoked card’s outcome page in English', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  client.cookies.set('lang', 'en');
  const page = await client.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await client.post('/register/citizen', {
    _csrf: csrfFrom(page.body),
    ...detailsFor(revoked),
    ...signWithCard(pki, 'zhang-yating', tbs, nonce),
  });
  t.equal(res.statusCode, 403);
  t.match(res.body, /This Citizen Digital Certificate has been revoked or suspended/);
  t.match(res.body, /Get a renewed card, then log in with it/);
});

t.test('a 報關專責人員 may give a contact name other than the card holder’s', async (t) => {
  const res = await registerWithJs(
    detailsFor(lin, { category: 'customs_specialist', name: '陳小姐' }),
    card('lin-meihua'),
  );
  t.equal(res.statusCode, 303);
  const account = await accountsRepository(ctx.db.pool).findByIdNumber(lin.idNumber);
  t.equal(account?.name, '陳小姐');
  t.equal(account?.status, 'pending_review');
});

t.test('the name is compared with full-width spaces and a space between characters normalised', async (t) => {
  const res = await registerWithJs(detailsFor(wang, { name: '　王 小明　' }), card('wang-xiaoming'));
  t.equal(res.statusCode, 303);
  t.equal((await accountsRepository(ctx.db.pool).findByIdNumber(wang.idNumber))?.name, '王小明');
});

t.test('an ID number already registered is refused, with its own message, on both paths', async (t) => {
  // 黃志豪's ID number already has an account (registered some other way); his card is not bound to it.
  const huang = pki.card('huang-zhihao');
  await accountsRepository(ctx.db.pool).insert({
    category: 'individual',
    idNumber: huang.idNumber,
    name: huang.holderName,
    birthDate: null,
    phone: null,
    address: null,
    email1: null,
    email2: null,
    passwordHash: null,
    status: 'active',
  });
  const js = await registerWithJs(detailsFor(huang), card('huang-zhihao'));
  t.equal(js.statusCode, 409);
  t.match(js.body, /此身分證號已有帳號/);
  t.match(js.body, /data-step="certificate_login">\s*<a href="\/login\/certificate">以自然人憑證直接登入/, '直接登入');
  t.match(js.body, /href="\/login\/forgot-password"/, '忘記密碼');
  const { completed } = await registerWithoutJs(detailsFor(huang), card('huang-zhihao'));
  t.equal(completed.statusCode, 409, 'an outcome page right after the signer’s 確定');
  t.match(completed.body, /此身分證號已有帳號/);
  t.match(completed.body, /href="\/login\/certificate"/);
  t.equal(await accountCount(huang.idNumber), 1);
});

t.test('a certificate already bound to an account is refused, with its own message, on both paths', async (t) => {
  // 王小明's card is bound (registered above). Someone types another ID number ending in the same four digits.
  const other = nationalIdEndingIn(wang.idLast4);
  const js = await registerWithJs(detailsFor(wang, { idNumber: other }), card('wang-xiaoming'));
  t.equal(js.statusCode, 409);
  t.match(js.body, /這張自然人憑證已註冊/);
  t.match(js.body, /data-step="certificate_login"/, '直接登入');
  const { completed } = await registerWithoutJs(detailsFor(wang, { idNumber: other }), card('wang-xiaoming'));
  t.equal(completed.statusCode, 409);
  t.match(completed.body, /這張自然人憑證已註冊/);
  t.match(completed.body, /王小明/, 'the card’s holder is named');
  t.equal(await accountCount(other), 0);
});

t.test('a verified card waits on the confirm page only while its challenge lives', async (t) => {
  const chen = pki.card('chen-zhiming');
  const { client, completed } = await registerWithoutJs(detailsFor(chen), card('chen-zhiming'));
  t.equal(completed.headers.location, '/register/citizen/confirm');
  t.equal((await client.get('/register/citizen/confirm')).statusCode, 200);
  clock.advance(CHALLENGE_LIFETIME_MS + 1000);
  const late = await client.get('/register/citizen/confirm');
  t.equal(late.statusCode, 303);
  t.equal(late.headers.location, '/register/citizen/certificate');
  t.match((await client.get('/register/citizen/certificate')).body, /超過 5 分鐘未送出/);
  t.equal(await accountCount(chen.idNumber), 0);
});

t.test('a card bound between the certificate step and 送出 is refused at 送出 and nothing is written', async (t) => {
  const chen = pki.card('chen-zhiming');
  const { client, completed } = await registerWithoutJs(detailsFor(chen), card('chen-zhiming'));
  t.equal(completed.headers.location, '/register/citizen/confirm');
  const confirm = await client.get('/register/citizen/confirm');
  // Meanwhile the same person registers in another browser, with JavaScript.
  t.equal((await registerWithJs(detailsFor(chen), card('chen-zhiming'))).statusCode, 303);
  const late = await client.post('/register/citizen/confirm', { _csrf: csrfFrom(confirm.body) });
  t.equal(late.statusCode, 409);
  t.match(late.body, /此身分證號已有帳號|這張自然人憑證已註冊/);
  t.equal(await accountCount(chen.idNumber), 1);
});
