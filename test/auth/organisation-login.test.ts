// 工商憑證登入: a company or agency logs in with its certificate in the four steps (no-JS round trip and the script's
// same-site POST), a pending account is told so on its own page, and a second card of the same 統一編號 is bound after
// the password, beside the first (a company may hold several cards).
import t from 'tap';
import { registeredOrganisation } from '../helpers/organisation-accounts';
import { Browser, buildTestApp, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard, type SignedToken } from '../helpers/demo-cards';
import { DEMO_CARDS } from '../../demo-pki/demo-pki';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { accountsRepository } from '../../server/db/accounts-repository';
import type { OrganisationCategory } from '../../server/registration/organisation-rules';

const demo = await makeDemoPki(new Date(), [
  ...DEMO_CARDS,
  {
    id: 'xinyi-second',
    purpose: 'company',
    holderName: '信義貿易有限公司',
    idNumber: '53100003',
    pin: '531001',
    issuer: 'moeaca',
    organisation: { name: '信義貿易有限公司', businessId: '53100003', category: 'enterprise' },
  },
  // The same company's card for its 快遞 account, and a new card after both accounts exist.
  ...['xinyi-express', 'xinyi-new'].map((id, i) => ({
    id,
    purpose: 'company' as const,
    holderName: '信義貿易有限公司',
    idNumber: '53100003',
    pin: `53100${i + 2}`,
    issuer: 'moeaca' as const,
    organisation: { name: '信義貿易有限公司', businessId: '53100003', category: 'express' },
  })),
]);
t.teardown(demo.remove);
const pki = demo.pki;
const verifier = demoCardVerifier(pki);
const clock = movableClock();
const ctx = await buildTestApp({}, { cardVerifier: verifier, now: clock.now });
t.teardown(ctx.close);
const PASSWORD = 'Harbour2Light';

const register = (cardId: string, category: OrganisationCategory) =>
  registeredOrganisation({ pool: ctx.db.pool, verifier, pki, password: PASSWORD, now: clock.now }, cardId, category);

function callback(token: SignedToken) {
  return ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    remoteAddress: '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...token, lang: 'zh-TW' }).toString(),
  });
}

const enterprise = await register('xinyi-trading', 'enterprise');
const broker = await register('taiguan-broker', 'customs_broker');

t.test('單一登入 offers 工商憑證登入 beside 新版自然人憑証登入', async (t) => {
  const page = await new Browser(ctx.app, uniqueAddress()).get('/login');
  t.match(page.body, /href="\/login\/certificate">新版自然人憑証登入/);
  t.match(page.body, /href="\/login\/organisation-certificate">工商憑證登入/);
  const login = await new Browser(ctx.app, uniqueAddress()).get('/login/organisation-certificate');
  t.equal(login.statusCode, 200);
  t.match(login.body, /<h1>工商憑證登入<\/h1>/);
  t.match(login.body, /PIN碼①/);
  t.match(login.body, /action="http:\/\/127\.0\.0\.1:61161\/nojs\/sign"/, 'the PIN form posts to the local signer');
});

t.test('without JavaScript an 一般企業 logs in: signer, callback, 送出 ④, 我的帳號', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/login/organisation-certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const back = await callback(signWithCard(pki, 'xinyi-trading', tbs, nonce));
  t.equal(back.statusCode, 303);
  const done = await client.get(back.headers.location as string);
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/login/certificate/confirm');
  const confirm = await client.get('/login/certificate/confirm');
  t.match(confirm.body, /信義貿易有限公司/);
  t.match(confirm.body, /<h1>工商憑證登入<\/h1>/, 'the page of the login it came from');
  t.match(confirm.body, /href="\/login\/organisation-certificate">取消/);
  const submit = await client.post('/login/certificate/confirm', { _csrf: csrfFrom(confirm.body) });
  t.equal(submit.statusCode, 303);
  t.equal(submit.headers.location, '/account');
  const account = await client.get('/account');
  t.equal(account.statusCode, 200);
  t.match(account.body, /信義貿易有限公司/);
  // 我的帳號 shows the company's fields, not a person's, and names the certificate by its kind.
  t.match(account.body, /<dt>公司名稱<\/dt><dd>信義貿易有限公司<\/dd>/);
  t.match(account.body, /<dt>統一編號<\/dt><dd class="mono">53100003<\/dd>/);
  t.match(account.body, /<dt>申請類別<\/dt><dd>一般企業<\/dd>/);
  t.match(account.body, /<dt>負責人<\/dt><dd>林大海<\/dd>/);
  t.match(account.body, /<dt>本次登入方式<\/dt><dd>工商憑證<\/dd>/);
  const main = account.body.slice(account.body.indexOf('<main'), account.body.indexOf('</main>'));
  t.notMatch(main, /身分證號|自然人憑證|account\.categories/);
  const { rows } = await ctx.db.pool.query(
    "SELECT success FROM login_attempts WHERE account_id = $1 AND method = 'certificate'",
    [enterprise.accountId],
  );
  t.same(rows, [{ success: true }]);
});

t.test('with JavaScript the signed challenge posts to the page and logs in at once', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/login/organisation-certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await client.post('/login/organisation-certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'xinyi-trading', tbs, nonce),
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
});

t.test('an account waiting for approval gets its outcome page, with the card named', async (t) => {
  t.equal(broker.status, 'pending_review');
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/login/organisation-certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await client.post('/login/organisation-certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'taiguan-broker', tbs, nonce),
  });
  t.equal(res.statusCode, 403);
  t.match(res.body, /正在審核中/);
  t.match(res.body, /data-step="wait_review"/);
  t.notMatch(res.body, /id="pin"/, 'not an error at the PIN');
});

t.test('a refused no-JS signature comes back to the 工商憑證登入 page', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/login/organisation-certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const back = await callback(signWithCard(pki, 'closed-company', tbs, nonce));
  const done = await client.get(back.headers.location as string);
  // Not the user's fault: an outcome page worded for a company's certificate, its renewal at 工商憑證登入.
  t.equal(done.statusCode, 403);
  t.match(done.body, /這張憑證已被廢止或停用/);
  t.match(done.body, /data-step="renew_card">\s*<a href="\/login\/organisation-certificate">換發憑證後以新憑證登入/);
  t.notMatch(done.body, /戶政事務所/, 'no household registration office for a company');
});

t.test('another card of the same 統一編號 is bound after the password, and the first card stays bound', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/login/organisation-certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await client.post('/login/organisation-certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'xinyi-second', tbs, nonce),
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/login/rebind');
  const rebind = await client.get('/login/rebind');
  t.equal(rebind.statusCode, 200);
  const ok = await client.post('/login/rebind', { _csrf: csrfFrom(rebind.body), password: PASSWORD });
  t.equal(ok.statusCode, 303);
  t.equal(ok.headers.location, '/account?rebound=1');
  const active = (await certificatesRepository(ctx.db.pool).listForAccount(enterprise.accountId)).filter(
    (c) => c.unboundAt === null,
  );
  t.equal(active.length, 2, 'both cards bound');
  t.ok(active.every((c) => c.organisationId === '53100003'));
  // Both now log in directly.
  for (const card of ['xinyi-trading', 'xinyi-second']) {
    const browser = new Browser(ctx.app, uniqueAddress());
    const p = await browser.get('/login/organisation-certificate');
    const c = challengeFrom(p.body);
    const r = await browser.post('/login/organisation-certificate', {
      _csrf: csrfFrom(p.body),
      ...signWithCard(pki, card, c.tbs, c.nonce),
    });
    t.equal(r.headers.location, '/account', card);
  }
});

t.test('a new card of a 統一編號 with accounts in two categories asks which account it joins', async (t) => {
  const express = await register('xinyi-express', 'express');
  await accountsRepository(ctx.db.pool).setStatus(express.accountId, 'active');
  const enterpriseCardsBefore = (await certificatesRepository(ctx.db.pool).listForAccount(enterprise.accountId)).length;
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/login/organisation-certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await client.post('/login/organisation-certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, 'xinyi-new', tbs, nonce),
  });
  t.equal(res.headers.location, '/login/rebind/choose');
  const choose = await client.get('/login/rebind/choose');
  t.equal(choose.statusCode, 200);
  t.match(choose.body, /一般企業：信義貿易有限公司（53100003）/);
  t.match(choose.body, /快遞：信義貿易有限公司（53100003）/);
  const none = await client.post('/login/rebind/choose', { _csrf: csrfFrom(choose.body) });
  t.equal(none.statusCode, 400);
  t.match(none.body, /<a href="#accountId">請選擇要綁定的帳號<\/a>/);
  const foreign = await client.post('/login/rebind/choose', { _csrf: csrfFrom(choose.body), accountId: '999999' });
  t.equal(foreign.statusCode, 400, 'only an account the card may join');
  const chosen = await client.post('/login/rebind/choose', {
    _csrf: csrfFrom(choose.body),
    accountId: String(express.accountId),
  });
  t.equal(chosen.headers.location, '/login/rebind');
  const rebind = await client.get('/login/rebind');
  t.match(rebind.body, /這張憑證是帳號 53100003（快遞）的新憑證/);
  const ok = await client.post('/login/rebind', { _csrf: csrfFrom(rebind.body), password: PASSWORD });
  t.equal(ok.headers.location, '/account?rebound=1');
  const expressCards = (await certificatesRepository(ctx.db.pool).listForAccount(express.accountId)).filter(
    (c) => c.unboundAt === null,
  );
  t.equal(expressCards.length, 2, 'the new card joins the 快遞 account beside its first card');
  t.equal(
    (await certificatesRepository(ctx.db.pool).listForAccount(enterprise.accountId)).length,
    enterpriseCardsBefore,
    'the 一般企業 account is untouched',
  );
  t.equal((await client.get('/login/rebind/choose')).headers.location, '/login/organisation-certificate', 'used once');
});
