// What a registration proves: a MOICA card carries the holder's name and only the last four digits
// of the ID number. The comparison is recorded with the registration, the confirm and 註冊完成 pages say what was
// not proven, and an operator reviewing a 報關專責人員 sees the card's CN beside the typed name, flagged when they differ.
import t from 'tap';
import { Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';
import { bindCertificate, cookieFor, createAccount, csrfTokenFor, postForm } from '../admin/fixtures';
import { buildRegisterApp, detailsFor, nationalIdEndingIn } from './helpers';
import { accountsRepository } from '../../server/db/accounts-repository';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const pki = demo.pki;
const ctx = await buildRegisterApp(demoCardVerifier(pki));
t.teardown(ctx.close);

const wang = pki.card('wang-xiaoming');
const lin = pki.card('lin-meihua');
const chen = pki.card('chen-zhiming');
const huang = pki.card('huang-zhihao');

const NOT_PROVEN_ZH = /憑證僅載有身分證號末四碼；其餘號碼與出生日期由您自行填寫，未經憑證證明。/;
const NOT_PROVEN_EN =
  /The certificate carries only the last four digits of your ID number; the rest of the number and your date of birth are as you typed them and are not proven by the certificate\./;

async function registerWithJs(details: Record<string, string>, cardId: string, lang?: 'en') {
  const client = new Browser(ctx.app, uniqueAddress());
  if (lang) client.cookies.set('lang', lang);
  const page = await client.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await client.post('/register/citizen', {
    _csrf: csrfFrom(page.body),
    ...details,
    ...signWithCard(pki, cardId, tbs, nonce),
  });
  return { client, res };
}

/** The no-JS steps up to the confirm page (or wherever the completion GET sends the browser). */
async function throughCertificate(details: Record<string, string>, cardId: string, lang?: 'en') {
  const client = new Browser(ctx.app, uniqueAddress());
  if (lang) client.cookies.set('lang', lang);
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
    payload: new URLSearchParams({ ...signWithCard(pki, cardId, tbs, nonce) }).toString(),
  });
  if (back.statusCode !== 303) throw new Error(`callback refused (${back.statusCode})`);
  const completed = await client.get(back.headers.location as string);
  return { client, completed };
}

/** The binding evidence in the account's registration audit event, as stored. */
async function recordedEvidence(idNumber: string): Promise<Record<string, any> | undefined> {
  const { rows } = await ctx.db.pool.query(
    `SELECT e.details FROM audit_events e JOIN accounts a ON a.id = e.subject_account_id
     WHERE a.id_number = $1 AND e.action = 'register'`,
    [idNumber],
  );
  return rows[0]?.details.binding;
}

async function accountId(idNumber: string): Promise<number> {
  const account = await accountsRepository(ctx.db.pool).findByIdNumber(idNumber);
  if (!account) throw new Error(`no account for ${idNumber}`);
  return account.id;
}

const operator = await createAccount(ctx.db.pool, { name: '陳承辦', role: 'operator' });
const operatorCookie = await cookieFor(ctx.db.pool, operator);
const asOperator = (url: string, lang?: 'en') =>
  ctx.app.inject({ url, headers: { cookie: lang ? `${operatorCookie}; lang=${lang}` : operatorCookie } });

t.test('a 個人 registration records what the card proved and what it did not', async (t) => {
  const { res } = await registerWithJs(detailsFor(wang), 'wang-xiaoming');
  t.equal(res.statusCode, 303);
  const evidence = await recordedEvidence(wang.idNumber);
  t.ok(evidence, 'the registration event carries the evidence');
  t.same(evidence?.idLast4, { card: wang.idNumber.slice(-4), typed: wang.idNumber.slice(-4), matched: true });
  t.same(evidence?.name, { cardCn: '王小明', typed: '王小明', comparison: 'exact' });
  t.equal(evidence?.cardSerial, wang.cardSerial);
  t.match(evidence?.certificate.issuerDn, /\S/);
  t.match(evidence?.certificate.serialHex, /^[0-9A-Fa-f]+$/);
  t.same(evidence?.notProven, ['id_first6', 'birth_date']);
  t.notMatch(
    JSON.stringify(evidence),
    new RegExp(wang.idNumber),
    'the full ID number is not copied into the audit trail',
  );
});

t.test('a 個人 whose typed name differs from the card is refused and nothing is recorded', async (t) => {
  const js = await registerWithJs(detailsFor(huang, { name: '黃大豪' }), 'huang-zhihao');
  t.equal(js.res.statusCode, 400);
  t.match(js.res.body, /聯絡人姓名須與自然人憑證上的姓名相同/);
  const nojs = await throughCertificate(detailsFor(huang, { name: '黃大豪' }), 'huang-zhihao');
  t.equal(nojs.completed.headers.location, '/register/citizen/certificate', 'refused before the confirm page');
  t.equal(await accountsRepository(ctx.db.pool).findByIdNumber(huang.idNumber), undefined);
  t.equal(await recordedEvidence(huang.idNumber), undefined);
});

t.test(
  'without JavaScript the confirm and 註冊完成 pages say what the card did not prove, and the evidence is recorded',
  async (t) => {
    const { client, completed } = await throughCertificate(detailsFor(huang), 'huang-zhihao');
    t.equal(completed.headers.location, '/register/citizen/confirm');
    const confirm = await client.get('/register/citizen/confirm');
    t.equal(confirm.statusCode, 200);
    t.match(confirm.body, /id="binding-statement"/);
    t.match(confirm.body, NOT_PROVEN_ZH);
    t.match(confirm.body, /您填寫的身分證號末四碼與憑證相符。/);
    t.match(confirm.body, /聯絡人姓名與憑證上的姓名「黃志豪」相符/);
    const submitted = await client.post('/register/citizen/confirm', { _csrf: csrfFrom(confirm.body) });
    t.equal(submitted.headers.location, '/register/citizen/done');
    const done = await client.get('/register/citizen/done');
    t.match(done.body, /註冊完成/);
    t.match(done.body, NOT_PROVEN_ZH);
    t.match(done.body, /您填寫的身分證號末四碼與憑證相符。/);
    t.equal((await recordedEvidence(huang.idNumber))?.name.comparison, 'exact');
  },
);

t.test('the statement is in English on the confirm page and, with JavaScript, on the 註冊完成 page', async (t) => {
  // A fresh PKI's card so this test does not depend on the others' registrations.
  const own = await makeDemoPki(new Date(), [
    {
      id: 'li-si',
      purpose: 'citizen',
      holderName: '李四',
      idNumber: nationalIdEndingIn('2468', 'A', '2'),
      pin: '111111',
      issuer: 'g3',
    },
  ]);
  t.teardown(own.remove);
  const app = await buildRegisterApp(demoCardVerifier(own.pki));
  t.teardown(app.close);
  const card = own.pki.card('li-si');

  const nojs = new Browser(app.app, uniqueAddress());
  nojs.cookies.set('lang', 'en');
  const form = await nojs.get('/register/citizen');
  await nojs.post('/register/citizen', { _csrf: csrfFrom(form.body), ...detailsFor(card) });
  const page = await nojs.get('/register/citizen/certificate');
  const signed = challengeFrom(page.body);
  const back = await app.app.inject({
    method: 'POST',
    url: '/signing/callback',
    remoteAddress: '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...signWithCard(own.pki, 'li-si', signed.tbs, signed.nonce) }).toString(),
  });
  await nojs.get(back.headers.location as string);
  const confirm = await nojs.get('/register/citizen/confirm');
  t.match(confirm.body, /What your Citizen Digital Certificate proved/);
  t.match(confirm.body, NOT_PROVEN_EN);

  const js = new Browser(app.app, uniqueAddress());
  js.cookies.set('lang', 'en');
  const jsPage = await js.get('/register/citizen');
  const challenge = challengeFrom(jsPage.body);
  const res = await js.post('/register/citizen', {
    _csrf: csrfFrom(jsPage.body),
    ...detailsFor(card),
    ...signWithCard(own.pki, 'li-si', challenge.tbs, challenge.nonce),
  });
  t.equal(res.headers.location, '/register/citizen/done');
  const done = await js.get('/register/citizen/done');
  t.match(done.body, /Registration complete/);
  t.match(done.body, NOT_PROVEN_EN);
  t.match(done.body, /The last four digits of the ID number you typed match the certificate\./);
});

t.test(
  'a 報關專責人員 whose contact name is not the card holder’s registers, pending review, with the mismatch recorded and shown',
  async (t) => {
    const { client, completed } = await throughCertificate(
      detailsFor(lin, { category: 'customs_specialist', name: '陳小姐' }),
      'lin-meihua',
    );
    t.equal(completed.headers.location, '/register/citizen/confirm', 'not refused at registration');
    const confirm = await client.get('/register/citizen/confirm');
    t.match(confirm.body, /id="binding-name-mismatch"/);
    t.match(confirm.body, /聯絡人姓名「陳小姐」與憑證上的姓名「林美華」不同/);
    await client.post('/register/citizen/confirm', { _csrf: csrfFrom(confirm.body) });
    const done = await client.get('/register/citizen/done');
    t.match(done.body, /id="account-status">審核中</);
    t.match(done.body, /聯絡人姓名「陳小姐」與憑證上的姓名「林美華」不同/);
    t.match(done.body, NOT_PROVEN_ZH);

    const account = await accountsRepository(ctx.db.pool).findByIdNumber(lin.idNumber);
    t.equal(account?.status, 'pending_review');
    t.same((await recordedEvidence(lin.idNumber))?.name, { cardCn: '林美華', typed: '陳小姐', comparison: 'mismatch' });
  },
);

t.test('the operator’s account page shows the card’s CN beside the typed name and flags the mismatch', async (t) => {
  const id = await accountId(lin.idNumber);
  const page = await asOperator(`/admin/accounts/${id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, /id="name-mismatch"/, 'a warning box');
  t.match(page.body, /注意：姓名不符。/);
  t.match(page.body, /id="evidence-typed-name">陳小姐</);
  t.match(page.body, /id="evidence-card-cn">林美華</);
  t.match(page.body, /evidence-tag--mismatch">不相同</);
  t.match(page.body, /id="evidence-not-proven">身分證號前六碼、出生年月日</);
  t.ok(page.body.indexOf('id="binding-evidence"') < page.body.indexOf('/approve"'), 'before the approve button');

  const en = await asOperator(`/admin/accounts/${id}`, 'en');
  t.match(en.body, /Warning: the names differ\./);
  t.match(en.body, /the first six characters of the ID number, the date of birth/);
});

t.test(
  'the approve page shows the mismatch flag, and the approval records that it was decided on a mismatch',
  async (t) => {
    const id = await accountId(lin.idNumber);
    const page = await asOperator(`/admin/accounts/${id}/approve`);
    t.equal(page.statusCode, 200);
    t.match(page.body, /id="name-mismatch"/);
    t.match(page.body, /id="evidence-card-cn">林美華</);
    const token = await csrfTokenFor(ctx.app, operatorCookie);
    const approved = await postForm(ctx.app, `/admin/accounts/${id}/approve`, operatorCookie, {
      _csrf: token,
      reason: '已核對委任文件',
    });
    t.equal(approved.statusCode, 303);
    const { rows } = await ctx.db.pool.query(
      "SELECT details FROM audit_events WHERE subject_account_id = $1 AND action = 'account.approve'",
      [id],
    );
    t.equal(rows[0]?.details.nameComparison, 'mismatch');
  },
);

t.test('a 報關專責人員 whose contact name is the card holder’s is not flagged', async (t) => {
  const { res } = await registerWithJs(detailsFor(chen, { category: 'customs_specialist' }), 'chen-zhiming');
  t.equal(res.statusCode, 303);
  const id = await accountId(chen.idNumber);
  const page = await asOperator(`/admin/accounts/${id}/approve`);
  t.notMatch(page.body, /id="name-mismatch"/);
  t.match(page.body, /evidence-tag--match">相同</);
  t.match(page.body, /id="evidence-not-proven">/, 'what was not proven is shown all the same');
});

t.test(
  'an account registered before evidence was recorded is compared with its bound certificate, and says so',
  async (t) => {
    // As a registration from before: an account and its certificate, and no registration event with evidence.
    const account = await createAccount(ctx.db.pool, {
      category: 'customs_specialist',
      status: 'pending_review',
      name: '陳先生',
    });
    await bindCertificate(ctx.db.pool, account.id, '陳志明');
    const page = await asOperator(`/admin/accounts/${account.id}`);
    t.match(page.body, /註冊時尚未留存比對紀錄/);
    t.match(page.body, /id="name-mismatch"/);
    t.match(page.body, /id="evidence-card-cn">陳志明</);
  },
);
