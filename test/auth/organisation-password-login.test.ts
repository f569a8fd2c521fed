// 帳號密碼登入 for a company or agency: its 申請類別 and 統一編號 (機關代碼) with the password, on the form's second part;
// the same answers as for a person (one for an unknown account and a wrong password), the lockout counted per account,
// errors at the organisation form's fields with its values kept; 忘記密碼 and 解除鎖定 with the company's bound card.
import t from 'tap';
import { registeredOrganisation } from '../helpers/organisation-accounts';
import { Browser, buildTestApp, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';
import { DEMO_CARDS } from '../../demo-pki/demo-pki';
import { accountsRepository } from '../../server/db/accounts-repository';
import type { OrganisationCategory } from '../../server/registration/organisation-rules';
import type { OrganisationCertificateKind } from '../../server/db/organisation-accounts-repository';

const demo = await makeDemoPki(new Date(), DEMO_CARDS);
t.teardown(demo.remove);
const pki = demo.pki;
const verifier = demoCardVerifier(pki);
const clock = movableClock();
const ctx = await buildTestApp({}, { cardVerifier: verifier, now: clock.now });
t.teardown(ctx.close);
const PASSWORD = 'Harbour2Light';

const register = (cardId: string, category: OrganisationCategory, certificate: OrganisationCertificateKind) =>
  registeredOrganisation(
    { pool: ctx.db.pool, verifier, pki, password: PASSWORD, now: clock.now },
    cardId,
    category,
    certificate,
  );

const enterprise = await register('xinyi-trading', 'enterprise', 'moeaca');
const broker = await register('taiguan-broker', 'customs_broker', 'moeaca');
const agency = await register('customs-agency', 'government', 'gca');
// An operator approves the broker and the agency, so that they may log in.
await accountsRepository(ctx.db.pool).setStatus(agency.accountId, 'active');

async function organisationLogin(
  fields: { category?: string; organisationId?: string; orgPassword?: string },
  browser = new Browser(ctx.app, uniqueAddress()),
) {
  const page = await browser.get('/login/password');
  const res = await browser.post('/login/password', {
    _csrf: csrfFrom(page.body),
    accountKind: 'organisation',
    ...fields,
  });
  return { browser, res };
}

t.test(
  'the password page has a form for a person and one for a company or agency, each working without JavaScript',
  async (t) => {
    const page = await new Browser(ctx.app, uniqueAddress()).get('/login/password');
    t.equal(page.statusCode, 200);
    t.match(page.body, /<form[^>]*id="person-login"[\s\S]*name="accountKind" value="person"[\s\S]*id="idNumber"/);
    t.match(page.body, /<form[^>]*id="organisation-login"[\s\S]*name="accountKind" value="organisation"/);
    t.match(page.body, /<select id="category" name="category"/);
    for (const label of ['一般企業', '報關業', '快遞', '政府機關'])
      t.match(page.body, new RegExp(`<option value="[a-z_]+">${label}`));
    t.notMatch(page.body, /<option value="individual"/, 'a person logs in with the first form');
    t.match(page.body, /統一編號（政府機關為機關代碼）/);
  },
);

t.test('a company logs in with its category, 統一編號 and password', async (t) => {
  const { browser, res } = await organisationLogin({
    category: 'enterprise',
    organisationId: ' 5310 0003 ',
    orgPassword: PASSWORD,
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
  const account = await browser.get('/account');
  t.equal(account.statusCode, 200);
  t.match(account.body, /信義貿易有限公司/);
  const attempts = await ctx.db.pool.query(
    'SELECT success, method FROM login_attempts WHERE account_id = $1 ORDER BY id DESC LIMIT 1',
    [enterprise.accountId],
  );
  t.same(attempts.rows[0], { success: true, method: 'password' });
});

t.test('an agency logs in with its 機關代碼', async (t) => {
  const { res } = await organisationLogin({
    category: 'government',
    organisationId: '2.16.886.101.99001.1',
    orgPassword: PASSWORD,
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/account');
});

t.test('the wrong category, an unknown 統一編號 and a wrong password get one answer', async (t) => {
  const answers = [];
  for (const fields of [
    { category: 'express', organisationId: '53100003', orgPassword: PASSWORD },
    { category: 'enterprise', organisationId: '99999997', orgPassword: PASSWORD },
    { category: 'enterprise', organisationId: '53100003', orgPassword: 'Wrong1Password' },
  ]) {
    const { res } = await organisationLogin(fields);
    t.equal(res.statusCode, 401);
    t.match(res.body, /申請類別、統一編號（機關代碼）或密碼錯誤/);
    t.match(res.body, /href="#organisationId"/, 'the error links to the organisation form');
    t.match(res.body, /<option value="[a-z_]+" selected>/, 'the category is kept');
    t.notMatch(res.body, /Harbour2Light|Wrong1Password/, 'the password is not sent back');
    answers.push(
      res.body
        .replace(/name="_csrf" value="[^"]+"/g, '')
        .replace(/ selected>/g, '>')
        .replace(/(id="organisationId"[^>]*) value="[^"]*"/, '$1'),
    );
  }
  t.equal(answers[1], answers[0], 'an unknown 統一編號 reads as the wrong category');
  t.equal(answers[2], answers[0], 'a wrong password reads as an unknown account');
});

t.test('a pending company account with the right password gets its outcome page', async (t) => {
  const { res } = await organisationLogin({
    category: 'customs_broker',
    organisationId: '23456786',
    orgPassword: PASSWORD,
  });
  t.equal(res.statusCode, 403);
  t.match(res.body, /審核/);
  t.notMatch(res.body, /PIN/, 'no card was used: the page does not speak of the PIN');
  t.match(res.body, /這不是輸入錯誤/);
  t.equal(broker.status, 'pending_review');
});

t.test('missing fields are named at the top and at each field, values kept', async (t) => {
  const { res } = await organisationLogin({ organisationId: '53100003' });
  t.equal(res.statusCode, 400);
  t.match(res.body, /<a href="#category">請選擇申請類別<\/a>/);
  t.match(res.body, /<a href="#orgPassword">請輸入密碼<\/a>/);
  t.match(res.body, /id="category-error"/);
  t.match(res.body, /id="organisationId"[^>]*value="53100003"/);
  t.notMatch(res.body, /href="#idNumber"/, 'the person form has no error');
  const unknownCategory = await organisationLogin({
    category: 'individual',
    organisationId: 'A123456789',
    orgPassword: 'x',
  });
  t.equal(unknownCategory.res.statusCode, 400, 'a person category is not an organisation category');
  t.match(unknownCategory.res.body, /<a href="#category">/);
});

t.test('wrong passwords count against the company account, not the person form', async (t) => {
  const address = uniqueAddress();
  const { res } = await organisationLogin(
    { category: 'enterprise', organisationId: '53100003', orgPassword: 'Wrong1Password' },
    new Browser(ctx.app, address),
  );
  t.equal(res.statusCode, 401);
  // Straight after a failure the same source waits, for this account only.
  const again = await organisationLogin(
    { category: 'enterprise', organisationId: '53100003', orgPassword: PASSWORD },
    new Browser(ctx.app, address),
  );
  t.equal(again.res.statusCode, 429);
  t.ok(Number(again.res.headers['retry-after']) > 0);
  const failures = await ctx.db.pool.query('SELECT id_number FROM login_failures WHERE id_number = $1', [
    'enterprise:53100003',
  ]);
  t.ok(failures.rowCount! > 0, 'the failure is counted under the organisation account key');
  clock.advance(120_000);
  const later = await organisationLogin(
    { category: 'enterprise', organisationId: '53100003', orgPassword: PASSWORD },
    new Browser(ctx.app, address),
  );
  t.equal(later.res.statusCode, 303);
});

t.test(
  '忘記密碼 with the company card: the 統一編號 in full, a new password, then the password login with it',
  async (t) => {
    const NEW_PASSWORD = 'Lantern7Quay';
    const browser = new Browser(ctx.app, uniqueAddress());
    const start = await browser.get('/login/forgot-password');
    t.match(start.body, /工商憑證/, 'the page says a company proves itself with its business certificate');
    const { tbs, nonce } = challengeFrom(start.body);
    const proven = await browser.post('/login/forgot-password', {
      _csrf: csrfFrom(start.body),
      ...signWithCard(pki, 'xinyi-trading', tbs, nonce),
    });
    t.equal(proven.headers.location, '/login/forgot-password/new');
    const form = await browser.get('/login/forgot-password/new');
    t.match(form.body, /這張憑證已確認綁定帳號 53100003/, 'the public 統一編號 in full, not the account key');
    t.notMatch(form.body, /enterprise:/);
    const done = await browser.post('/login/forgot-password/new', {
      _csrf: csrfFrom(form.body),
      password: NEW_PASSWORD,
      passwordConfirm: NEW_PASSWORD,
    });
    t.equal(done.headers.location, '/login/forgot-password/done');
    const old = await organisationLogin({ category: 'enterprise', organisationId: '53100003', orgPassword: PASSWORD });
    t.equal(old.res.statusCode, 401, 'the old password is refused');
    const fresh = await organisationLogin({
      category: 'enterprise',
      organisationId: '53100003',
      orgPassword: NEW_PASSWORD,
    });
    t.equal(fresh.res.headers.location, '/account', 'the new one logs in');
  },
);

t.test('解除鎖定 with the agency card lifts the lock of the agency account', async (t) => {
  const address = uniqueAddress();
  // Wrong passwords from one source until it is locked (each attempt past the doubling wait).
  let last;
  for (let i = 0; i < 5; i++) {
    last = await organisationLogin(
      { category: 'government', organisationId: '2.16.886.101.99001.1', orgPassword: 'Wrong1Password' },
      new Browser(ctx.app, address),
    );
    clock.advance(61_000);
  }
  t.equal(last!.res.statusCode, 423, 'locked after the fifth wrong password');
  const browser = new Browser(ctx.app, address);
  const start = await browser.get('/login/unlock');
  const { tbs, nonce } = challengeFrom(start.body);
  const proven = await browser.post('/login/unlock', {
    _csrf: csrfFrom(start.body),
    ...signWithCard(pki, 'customs-agency', tbs, nonce),
  });
  // The page script's 送出 is the last step: the lock ends with it.
  t.equal(proven.headers.location, '/login/unlock/done');
  const done = await browser.get('/login/unlock/done');
  // A company or agency may hold an account per category: the page names which one.
  t.match(done.body, /帳號 2\.16\.886\.101\.99001\.1（政府機關） 的密碼登入已解除鎖定/);
  const after = await organisationLogin(
    { category: 'government', organisationId: '2.16.886.101.99001.1', orgPassword: PASSWORD },
    new Browser(ctx.app, address),
  );
  t.equal(after.res.headers.location, '/account');
});
