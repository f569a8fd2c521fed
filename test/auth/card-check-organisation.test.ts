// The card check after 載入 on a company's or agency's pages (工商憑證登入, the company registration's certificate
// page): the category's rules judge a registration, and the outcomes are worded for a company's certificate (its
// issuer, 工商憑證登入; no 忘記密碼, whose pages prove a 自然人憑證).
import t from 'tap';
import { Browser, buildTestApp, csrfFrom, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const pki = demo.pki;
const ctx = await buildTestApp({}, { cardVerifier: demoCardVerifier(pki) });
t.teardown(ctx.close);

const page = (category: string) => `/register/organisation/certificate?category=${category}`;

async function check(browser: Browser, url: string, cardId: string) {
  const start = await browser.get(url);
  const { tbs, nonce } = challengeFrom(start.body);
  const token = signWithCard(pki, cardId, tbs, nonce);
  const res = await browser.post('/signing/card-check', { _csrf: csrfFrom(start.body), ...token });
  return { answer: res.json() as Record<string, unknown>, token, csrf: csrfFrom(start.body) };
}

const steps = (answer: Record<string, unknown>) =>
  (answer.steps as Array<{ step: string; href?: string; label: string }>).map((s) => [s.step, s.href ?? null]);

t.test('a company registration: a good business card is named; a citizen card is a card to change', async (t) => {
  const good = (await check(new Browser(ctx.app, uniqueAddress()), page('enterprise'), 'xinyi-trading')).answer;
  t.match(good, { status: 'ok', holder: /信義貿易/ });
  const citizen = (await check(new Browser(ctx.app, uniqueAddress()), page('enterprise'), 'wang-xiaoming')).answer;
  t.match(citizen, { status: 'refused', reason: 'not_business_certificate', message: /載入的不是工商憑證/ });
});

t.test('a revoked company card: the outcome in a company’s words, renewed at 工商憑證登入', async (t) => {
  const { answer } = await check(new Browser(ctx.app, uniqueAddress()), page('enterprise'), 'closed-company');
  t.match(answer, { status: 'outcome', reason: 'revoked', title: '這張憑證已被廢止或停用' });
  t.notMatch(JSON.stringify(answer), /戶政事務所|自然人憑證/);
  t.same(steps(answer), [
    ['renew_card', '/login/organisation-certificate'],
    ['support', null],
  ]);
});

t.test('at 工商憑證登入, a company card bound to no account is sent to 帳號註冊', async (t) => {
  const { answer } = await check(
    new Browser(ctx.app, uniqueAddress()),
    '/login/organisation-certificate',
    'xinyi-trading',
  );
  t.match(answer, { status: 'outcome', reason: 'unknown_certificate', title: '此憑證尚未註冊' });
  t.same(steps(answer), [
    ['register', '/register'],
    ['support', null],
  ]);
});

t.test('a 統一編號 registered in this category already: 直接登入 at 工商憑證登入, before the details', async (t) => {
  // 信義貿易 registers as 一般企業 with JavaScript: the card on the certificate page, the details, 送出.
  const client = new Browser(ctx.app, uniqueAddress());
  const { token, csrf } = await check(client, page('enterprise'), 'xinyi-trading');
  const signed = await client.post(page('enterprise'), { _csrf: csrf, ...token });
  t.equal(signed.statusCode, 303);
  const details = await client.get(signed.headers.location as string);
  const next = await client.post(signed.headers.location as string, {
    _csrf: csrfFrom(details.body),
    organisationName: '信義貿易有限公司',
    representative: '林大海',
    contactName: '陳小芬',
    phone: '(02)2345-6789',
    mobile: '',
    address: '臺北市中正區忠孝西路一段 1 號',
    licenceNumber: '',
    password: 'Harbour2Light',
    passwordConfirm: 'Harbour2Light',
    email1: 'office@example.com.tw',
    email2: '',
    consent: 'yes',
  });
  t.equal(next.statusCode, 303, 'the details are taken');
  const confirm = await client.get(next.headers.location as string);
  const done = await client.post('/register/organisation/confirm?category=enterprise', {
    _csrf: csrfFrom(confirm.body),
  });
  t.equal(done.statusCode, 303, 'registered');

  const again = (await check(new Browser(ctx.app, uniqueAddress()), page('enterprise'), 'xinyi-trading')).answer;
  t.match(again, { status: 'outcome', reason: 'organisation_already_registered', title: '此統一編號已有帳號' });
  t.same(steps(again), [
    ['certificate_login', '/login/organisation-certificate'],
    ['support', null],
  ]);
  const login = (await check(new Browser(ctx.app, uniqueAddress()), '/login/organisation-certificate', 'xinyi-trading'))
    .answer;
  t.match(login, { status: 'ok', holder: /信義貿易/ }, 'and 工商憑證登入 takes the card');
});
