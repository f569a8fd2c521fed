// One 工商憑證, several categories: a company registers 一般企業 and then 快遞 with the same card, and both accounts
// hold that certificate; the same category twice is still refused, and a citizen card still binds to one account.
// 工商憑證登入 with that card asks which account to log in as; 忘記密碼 and 解除鎖定 ask which account's password.
import t from 'tap';
import { registerOrganisationCard } from '../helpers/organisation-accounts';
import { Browser, buildTestApp, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard, type SignedToken } from '../helpers/demo-cards';
import { DEMO_CARDS } from '../../demo-pki/demo-pki';
import { organisationBindingRefusal } from '../../server/registration/organisation';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { accountsRepository } from '../../server/db/accounts-repository';
import { bindingFor } from '../../server/auth/bind-certificate';
import { hashPassword, verifyPassword } from '../../server/auth/passwords';
import { CHALLENGE_LIFETIME_MS } from '../../server/auth/challenges';
import type { OrganisationCategory } from '../../server/registration/organisation-rules';

const demo = await makeDemoPki(new Date(), DEMO_CARDS);
t.teardown(demo.remove);
const pki = demo.pki;
const verifier = demoCardVerifier(pki);
const clock = movableClock();
const ctx = await buildTestApp({ LOGIN_DELAY_SECONDS: '0' }, { cardVerifier: verifier, now: clock.now });
t.teardown(ctx.close);
const PASSWORD = 'Harbour2Light';
const NEW_PASSWORD = 'Lantern7Quay';

async function identityOf(cardId: string) {
  const check = await verifier.verifyCertificate(pki.card(cardId).signingCertDer.toString('base64'), clock.now());
  if (!check.ok) throw new Error(check.reason);
  return check.identity;
}

/** Registers a card's organisation in a category through the registration service, as 送出 does. */
const register = (cardId: string, category: OrganisationCategory) =>
  registerOrganisationCard({ pool: ctx.db.pool, verifier, pki, password: PASSWORD, now: clock.now }, cardId, category);

function callback(token: SignedToken) {
  return ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    remoteAddress: '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...token, lang: 'zh-TW' }).toString(),
  });
}

/** 工商憑證登入 with the page script: the signed challenge posted to the page. */
async function cardLogin(browser: Browser, cardId = 'xinyi-trading') {
  const page = await browser.get('/login/organisation-certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  return browser.post('/login/organisation-certificate', {
    _csrf: csrfFrom(page.body),
    ...signWithCard(pki, cardId, tbs, nonce),
  });
}

const first = await register('xinyi-trading', 'enterprise');
if (!first.ok) throw new Error(first.reason);
const enterprise = first.receipt;

t.test('the same card registers 快遞 after 一般企業, and both accounts hold it', async (t) => {
  t.equal(
    await organisationBindingRefusal(ctx.db.pool, 'express', 'moeaca', await identityOf('xinyi-trading')),
    undefined,
    'the card page does not refuse the second category',
  );
  const second = await register('xinyi-trading', 'express');
  t.ok(second.ok, 'registered');
  if (!second.ok) return;
  t.equal(second.receipt.category, 'express');
  t.equal(second.receipt.status, 'pending_review', '快遞 waits for an operator');
  const certificates = certificatesRepository(ctx.db.pool);
  const fingerprint = (await identityOf('xinyi-trading')).fingerprintSha256;
  for (const accountId of [enterprise.accountId, second.receipt.accountId]) {
    const active = (await certificates.listForAccount(accountId)).filter((c) => c.unboundAt === null);
    t.same(
      active.map((c) => [c.fingerprintSha256, c.organisationId]),
      [[fingerprint, '53100003']],
      `account ${accountId} holds the card`,
    );
  }
  t.equal((await certificates.listActiveByFingerprint(fingerprint)).length, 2);

  const again = await register('xinyi-trading', 'enterprise');
  t.same(again, { ok: false, reason: 'organisation_already_registered' }, 'the same category twice is refused');
});

t.test('a card bound to an account that is not of its organisation is still refused', async (t) => {
  // An account without organisation fields holding the broker's card (as the operator command line binds one).
  const citizen = (await accountsRepository(ctx.db.pool).insert({
    category: 'individual',
    idNumber: 'K121234563',
    name: '李大同',
    birthDate: '1980-05-17',
    phone: null,
    address: null,
    email1: null,
    email2: null,
    passwordHash: null,
    status: 'active',
  }))!;
  const broker = await identityOf('taiguan-broker');
  t.ok(await certificatesRepository(ctx.db.pool).bind({ ...bindingFor(citizen.id, broker), organisationId: null }));
  t.same(await register('taiguan-broker', 'customs_broker'), { ok: false, reason: 'certificate_already_registered' });
});

t.test('a citizen card is bound to one account only, by the database too', async (t) => {
  const accounts = accountsRepository(ctx.db.pool);
  const certificates = certificatesRepository(ctx.db.pool);
  const make = async (idNumber: string) =>
    (await accounts.insert({
      category: 'individual',
      idNumber,
      name: '王小明',
      birthDate: '1980-05-17',
      phone: null,
      address: null,
      email1: null,
      email2: null,
      passwordHash: await hashPassword(PASSWORD),
      status: 'active',
    }))!;
  const a = await make('A123456789');
  const b = await make('F223456786');
  const wang = await identityOf('wang-xiaoming');
  t.ok(await certificates.bind(bindingFor(a.id, wang)), 'bound to the first account');
  t.equal(await certificates.bind(bindingFor(b.id, wang)), undefined, 'a second account: refused by the constraint');
  t.equal(await certificates.bind(bindingFor(a.id, wang)), undefined, 'the same account twice: refused');
  // An organisation card is bound to one account at most once as well.
  const xinyi = await identityOf('xinyi-trading');
  t.equal(await certificates.bind(bindingFor(enterprise.accountId, xinyi)), undefined);
});

const expressAccount = async () => {
  const row = await ctx.db.pool.query<{ account_id: number }>(
    "SELECT account_id FROM organisation_accounts WHERE organisation_id = '53100003' AND category = 'express'",
  );
  return row.rows[0].account_id;
};

t.test('工商憑證登入 asks which account: the choice page and its errors', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const res = await cardLogin(browser);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/login/certificate/choose');
  const choose = await browser.get('/login/certificate/choose');
  t.equal(choose.statusCode, 200);
  t.match(choose.body, /<h1>選擇要登入的帳號<\/h1>/);
  t.match(choose.body, /一般企業：信義貿易有限公司（53100003）/);
  t.match(choose.body, /快遞：信義貿易有限公司（53100003）/);
  t.match(choose.body, new RegExp(`name="accountId" id="accountId" value="${enterprise.accountId}"`));
  t.match(choose.body, /<form method="post" action="\/login\/certificate\/choose"/);

  const none = await browser.post('/login/certificate/choose', { _csrf: csrfFrom(choose.body) });
  t.equal(none.statusCode, 400);
  t.match(none.body, /<a href="#accountId">請選擇要登入的帳號<\/a>/, 'the error at the top');
  t.match(none.body, /id="accountId-error"[^>]*>[\s\S]*?請選擇要登入的帳號/, 'and at the field');

  // Another account, the one holding the broker's card: not the card's to choose.
  const other = (await accountsRepository(ctx.db.pool).findByIdNumber('K121234563'))!;
  for (const foreign of ['999999', String(other.id), 'x']) {
    const refused = await browser.post('/login/certificate/choose', {
      _csrf: csrfFrom(choose.body),
      accountId: foreign,
    });
    t.equal(refused.statusCode, 400, `account ${foreign} is not one of the card's`);
  }
  t.equal((await browser.get('/account')).statusCode, 303, 'not logged in');
});

t.test('the chosen account under review gets its outcome page', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  await cardLogin(browser);
  const choose = await browser.get('/login/certificate/choose');
  const res = await browser.post('/login/certificate/choose', {
    _csrf: csrfFrom(choose.body),
    accountId: String(await expressAccount()),
  });
  t.equal(res.statusCode, 403);
  t.match(res.body, /正在審核中/);
  t.match(res.body, /data-step="wait_review"/);
  const { rows } = await ctx.db.pool.query(
    "SELECT success, outcome FROM login_attempts WHERE account_id = $1 AND method = 'certificate'",
    [await expressAccount()],
  );
  t.same(rows, [{ success: false, outcome: 'account_pending' }]);
});

t.test('the chosen 一般企業 account logs in, with the card, to its next page', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  // The page the login was asked for: the safe redirect after the choice goes there.
  t.equal((await browser.get('/login?next=%2Fservices')).statusCode, 200);
  await cardLogin(browser);
  const choose = await browser.get('/login/certificate/choose');
  const res = await browser.post('/login/certificate/choose', {
    _csrf: csrfFrom(choose.body),
    accountId: String(enterprise.accountId),
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/services');
  const account = await browser.get('/account');
  t.equal(account.statusCode, 200);
  t.match(account.body, /<dt>申請類別<\/dt><dd>一般企業<\/dd>/);
  t.match(account.body, /<dt>本次登入方式<\/dt><dd>工商憑證<\/dd>/);
  const binding = (await certificatesRepository(ctx.db.pool).listForAccount(enterprise.accountId))[0];
  const { rows } = await ctx.db.pool.query<{ certificate_id: number }>(
    "SELECT (sess::jsonb -> 'user' ->> 'certificateId')::int AS certificate_id FROM sessions WHERE (sess::jsonb -> 'user' ->> 'accountId')::int = $1",
    [enterprise.accountId],
  );
  t.ok(rows.length > 0);
  t.ok(
    rows.every((r) => r.certificate_id === binding.id),
    'the session names the chosen account’s binding',
  );
  t.equal((await browser.get('/login/certificate/choose')).headers.location, '/login/organisation-certificate', 'used');
});

t.test('without JavaScript: 送出 ④ leads to the same choice', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const page = await browser.get('/login/organisation-certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const back = await callback(signWithCard(pki, 'xinyi-trading', tbs, nonce));
  const done = await browser.get(back.headers.location as string);
  t.equal(done.headers.location, '/login/certificate/confirm');
  const confirm = await browser.get('/login/certificate/confirm');
  const submit = await browser.post('/login/certificate/confirm', { _csrf: csrfFrom(confirm.body) });
  t.equal(submit.headers.location, '/login/certificate/choose');
});

t.test('the choice lasts no longer than the challenge the card signed', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  await cardLogin(browser);
  const choose = await browser.get('/login/certificate/choose');
  clock.advance(CHALLENGE_LIFETIME_MS + 1000);
  const late = await browser.post('/login/certificate/choose', {
    _csrf: csrfFrom(choose.body),
    accountId: String(enterprise.accountId),
  });
  t.equal(late.statusCode, 303);
  t.equal(late.headers.location, '/login/organisation-certificate');
  const start = await browser.get('/login/organisation-certificate');
  t.match(start.body, /href="#pin"/, 'the start page says why');
  t.equal((await browser.get('/account')).statusCode, 303, 'not logged in');
});

t.test('忘記密碼 with the card: the holder chooses the account, and only its password changes', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const start = await browser.get('/login/forgot-password');
  const { tbs, nonce } = challengeFrom(start.body);
  const proven = await browser.post('/login/forgot-password', {
    _csrf: csrfFrom(start.body),
    ...signWithCard(pki, 'xinyi-trading', tbs, nonce),
  });
  t.equal(proven.headers.location, '/login/forgot-password/choose');
  t.equal((await browser.get('/login/forgot-password/new')).statusCode, 303, 'no password step before the choice');
  const choose = await browser.get('/login/forgot-password/choose');
  t.equal(choose.statusCode, 200);
  t.match(choose.body, /一般企業：信義貿易有限公司（53100003）/);
  t.match(choose.body, /快遞：信義貿易有限公司（53100003）/);
  const none = await browser.post('/login/forgot-password/choose', { _csrf: csrfFrom(choose.body) });
  t.equal(none.statusCode, 400);
  t.match(none.body, /<a href="#accountId">請選擇帳號<\/a>/);
  const foreign = await browser.post('/login/forgot-password/choose', {
    _csrf: csrfFrom(choose.body),
    accountId: '999999',
  });
  t.equal(foreign.statusCode, 400);
  const chosen = await browser.post('/login/forgot-password/choose', {
    _csrf: csrfFrom(choose.body),
    accountId: String(enterprise.accountId),
  });
  t.equal(chosen.headers.location, '/login/forgot-password/new');
  const form = await browser.get('/login/forgot-password/new');
  t.match(form.body, /帳號 53100003（一般企業）/);
  const set = await browser.post('/login/forgot-password/new', {
    _csrf: csrfFrom(form.body),
    password: NEW_PASSWORD,
    passwordConfirm: NEW_PASSWORD,
  });
  t.equal(set.headers.location, '/login/forgot-password/done');
  const accounts = accountsRepository(ctx.db.pool);
  const changed = (await accounts.findById(enterprise.accountId))!;
  const other = (await accounts.findById(await expressAccount()))!;
  t.ok((await verifyPassword(changed.passwordHash, NEW_PASSWORD)).ok, 'the chosen account has the new password');
  t.ok((await verifyPassword(other.passwordHash, PASSWORD)).ok, 'the other category keeps its password');
});

t.test('解除鎖定 with the card: a chosen account under review gets its outcome page', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const start = await browser.get('/login/unlock');
  const { tbs, nonce } = challengeFrom(start.body);
  const proven = await browser.post('/login/unlock', {
    _csrf: csrfFrom(start.body),
    ...signWithCard(pki, 'xinyi-trading', tbs, nonce),
  });
  t.equal(proven.headers.location, '/login/unlock/choose', 'the script’s 送出 ④ unlocks nothing before the choice');
  const choose = await browser.get('/login/unlock/choose');
  const refused = await browser.post('/login/unlock/choose', {
    _csrf: csrfFrom(choose.body),
    accountId: String(await expressAccount()),
  });
  t.equal(refused.statusCode, 403);
  t.match(refused.body, /正在審核中/);
});

t.test('once 快遞 is approved, the card logs in as 快遞 when chosen', async (t) => {
  await accountsRepository(ctx.db.pool).setStatus(await expressAccount(), 'active');
  const browser = new Browser(ctx.app, uniqueAddress());
  await cardLogin(browser);
  const choose = await browser.get('/login/certificate/choose');
  const res = await browser.post('/login/certificate/choose', {
    _csrf: csrfFrom(choose.body),
    accountId: String(await expressAccount()),
  });
  t.equal(res.headers.location, '/account');
  const account = await browser.get('/account');
  t.match(account.body, /<dt>申請類別<\/dt><dd>快遞<\/dd>/);

  // 解除鎖定 of the chosen 快遞 account, through its 送出 ④ page.
  const unlocker = new Browser(ctx.app, uniqueAddress());
  const start = await unlocker.get('/login/unlock');
  const { tbs, nonce } = challengeFrom(start.body);
  await unlocker.post('/login/unlock', {
    _csrf: csrfFrom(start.body),
    ...signWithCard(pki, 'xinyi-trading', tbs, nonce),
  });
  const unlockChoose = await unlocker.get('/login/unlock/choose');
  const chosen = await unlocker.post('/login/unlock/choose', {
    _csrf: csrfFrom(unlockChoose.body),
    accountId: String(await expressAccount()),
  });
  t.equal(chosen.headers.location, '/login/unlock/confirm');
  const confirm = await unlocker.get('/login/unlock/confirm');
  t.match(confirm.body, /帳號 53100003（快遞）/);
  const done = await unlocker.post('/login/unlock/confirm', { _csrf: csrfFrom(confirm.body) });
  t.equal(done.headers.location, '/login/unlock/done');
  const { rows } = await ctx.db.pool.query(
    "SELECT subject_account_id FROM audit_events WHERE action = 'account.unlock.card' ORDER BY id DESC LIMIT 1",
  );
  t.same(rows, [{ subject_account_id: await expressAccount() }], 'the chosen account is the one unlocked');
});

t.test('an account the card was unbound from while the holder chose is not logged in', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  await cardLogin(browser);
  const choose = await browser.get('/login/certificate/choose');
  const certificates = certificatesRepository(ctx.db.pool);
  const express = await expressAccount();
  const [binding] = (await certificates.listForAccount(express)).filter((c) => c.unboundAt === null);
  t.ok(await certificates.unbind(binding.id, 'test', clock.now()));
  const res = await browser.post('/login/certificate/choose', {
    _csrf: csrfFrom(choose.body),
    accountId: String(express),
  });
  t.equal(res.statusCode, 404);
  t.match(res.body, /data-step="register"/);
  t.equal((await browser.get('/account')).statusCode, 303, 'not logged in');
  // The other category's account keeps the card, now its only account: it logs in directly.
  const direct = await cardLogin(new Browser(ctx.app, uniqueAddress()));
  t.equal(direct.headers.location, '/account');
});
