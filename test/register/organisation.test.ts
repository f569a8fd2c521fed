// Company and agency registration through app.inject, with the demo PKI's organisation cards and real signatures:
// the card first (no-JS callback and the script's same-site POST), the 統一編號 from the certificate, each category's
// rules (licence, approval), one transaction, and each refusal with its own message.
import t from 'tap';
import { Browser, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { CHALLENGE_LIFETIME_MS } from '../../server/auth/challenges';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard, type SignedToken } from '../helpers/demo-cards';
import { buildRegisterApp } from './helpers';
import { DEMO_CARDS } from '../../demo-pki/demo-pki';
import { ORGANISATION_CATEGORIES, ORGANISATION_RULES } from '../../server/registration/organisation-rules';
import { certificatesRepository } from '../../server/db/certificates-repository';

// One more company card, for a company that registers in every business category with it.
const EVERY_CATEGORY_CARD = {
  id: 'wanlei-trading',
  purpose: 'company' as const,
  holderName: '萬類貿易股份有限公司',
  idNumber: '24681353',
  pin: '246813',
  issuer: 'moeaca' as const,
  organisation: { name: '萬類貿易股份有限公司', businessId: '24681353', category: 'enterprise' },
};
const demo = await makeDemoPki(new Date(), [...DEMO_CARDS, EVERY_CATEGORY_CARD]);
t.teardown(demo.remove);
const pki = demo.pki;
const clock = movableClock();
const ctx = await buildRegisterApp(demoCardVerifier(pki), {}, clock.now);
t.teardown(ctx.close);

function callback(token: SignedToken) {
  return ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    remoteAddress: '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...token, lang: 'zh-TW' }).toString(),
  });
}

const query = (category: string, customs = false) => `?category=${category}${customs ? '&certificate=customs' : ''}`;

/** Step 1 without JavaScript: the certificate page, the signer, its callback, the completion GET. */
async function loadCard(
  client: Browser,
  cardId: string,
  category: string,
  customs = false,
  which: 'signing' | 'encryption' = 'signing',
) {
  const page = await client.get(`/register/organisation/certificate${query(category, customs)}`);
  if (page.statusCode !== 200) throw new Error(`certificate page: ${page.statusCode}`);
  const { tbs, nonce } = challengeFrom(page.body);
  const back = await callback(signWithCard(pki, cardId, tbs, nonce, which));
  if (back.statusCode !== 303) throw new Error(`callback refused: ${back.statusCode}`);
  const completed = await client.get(back.headers.location as string);
  // The completion answers 303: to the details (accepted) or back to the certificate page (refused, told there);
  // a refusal that is not the applicant's fault is an outcome page at once.
  return completed.statusCode === 303 ? client.get(completed.headers.location as string) : completed;
}

function detailsFor(overrides: Record<string, string> = {}) {
  return {
    organisationName: '台關報關股份有限公司',
    representative: '林大海',
    contactName: '陳小芬',
    phone: '(02)2345-6789',
    mobile: '',
    address: '臺北市中正區忠孝西路一段 1 號',
    licenceNumber: '北關登字第 1234 號',
    password: 'Harbour2Light',
    passwordConfirm: 'Harbour2Light',
    email1: 'customs@example.com.tw',
    email2: '',
    consent: 'yes',
    ...overrides,
  };
}

async function organisationRows(organisationId: string) {
  const { rows } = await ctx.db.pool.query(
    `SELECT a.id, a.status, a.category, a.name, a.id_number, o.organisation_id, o.organisation_id_kind, o.certificate_kind,
            o.representative, o.contact_name, o.licence_number,
            (SELECT count(*)::int FROM certificates c WHERE c.account_id = a.id AND c.organisation_id = o.organisation_id) AS cards
       FROM accounts a JOIN organisation_accounts o ON o.account_id = a.id WHERE o.organisation_id = $1 ORDER BY a.id`,
    [organisationId],
  );
  return rows;
}

t.test(
  'every company and agency category of the chooser starts its registration from its explanation page',
  async (t) => {
    for (const category of ORGANISATION_CATEGORIES) {
      const page = await new Browser(ctx.app, uniqueAddress()).get(`/register/business?category=${category}`);
      t.match(page.body, `href="/register/organisation/certificate?category=${category}"`, category);
      const cert = await new Browser(ctx.app, uniqueAddress()).get(
        `/register/organisation/certificate?category=${category}`,
      );
      t.equal(cert.statusCode, 200, `${category} certificate page`);
      t.match(cert.body, ORGANISATION_RULES[category].certificate === 'gca' ? '載入政府憑證' : '載入工商憑證');
      t.match(cert.body, /步驟 1／4<\/span>\s*<span class="step-progress__name">載入憑證/);
    }
    const wrong = await new Browser(ctx.app, uniqueAddress()).get(
      '/register/organisation/certificate?category=individual',
    );
    t.equal(wrong.statusCode, 303);
    t.equal(wrong.headers.location, '/register');
  },
);

t.test(
  'without JavaScript a 報關業 registers: card, the 統一編號 read-only, details, confirm, pending approval',
  async (t) => {
    const client = new Browser(ctx.app, uniqueAddress());
    const details = await loadCard(client, 'taiguan-broker', 'customs_broker');
    t.equal(details.statusCode, 200);
    t.match(details.body, /<input id="organisationId" type="text" value="23456786" readonly/);
    t.match(details.body, /value="台關報關股份有限公司"/, 'the name starts as the certificate says');
    t.match(details.body, /id="licenceNumber"/, '報關業 gives a licence number');
    t.match(details.body, /步驟 2／4/);

    const form = csrfFrom(details.body);
    // The 統一編號 is never taken from the form: a posted one is ignored.
    const next = await client.post(`/register/organisation${query('customs_broker')}`, {
      _csrf: form,
      organisationId: '53100003',
      ...detailsFor(),
    });
    t.equal(next.statusCode, 303);
    t.equal(next.headers.location, `/register/organisation/confirm${query('customs_broker')}`);
    const confirm = await client.get(next.headers.location as string);
    t.match(confirm.body, /23456786/);
    t.match(confirm.body, /北關登字第 1234 號/);
    t.match(confirm.body, /承辦人員審核/);
    const done = await client.post(`/register/organisation/confirm${query('customs_broker')}`, {
      _csrf: csrfFrom(confirm.body),
    });
    t.equal(done.statusCode, 303);
    t.equal(done.headers.location, '/register/organisation/done');
    const receipt = await client.get('/register/organisation/done');
    t.match(receipt.body, /註冊完成/);
    t.match(receipt.body, /<dd id="account-status">審核中<\/dd>/);
    t.match(receipt.body, /貴單位的關港貿單一窗口帳號已註冊完成，並已綁定這張工商憑證。/);
    const main = receipt.body.slice(receipt.body.indexOf('<main'), receipt.body.indexOf('</main>'));
    t.notMatch(main, /自然人憑證/, 'no citizen wording in the content');

    const rows = await organisationRows('23456786');
    t.equal(rows.length, 1);
    t.match(rows[0], {
      status: 'pending_review',
      category: 'customs_broker',
      name: '台關報關股份有限公司',
      id_number: 'customs_broker:23456786',
      organisation_id_kind: 'business_id',
      certificate_kind: 'moeaca',
      representative: '林大海',
      contact_name: '陳小芬',
      licence_number: '北關登字第 1234 號',
      cards: 1,
    });
    const audit = await ctx.db.pool.query(
      "SELECT details FROM audit_events WHERE subject_account_id = $1 AND action = 'register'",
      [rows[0].id],
    );
    t.match(audit.rows[0].details, {
      organisationId: '23456786',
      certificate: 'moeaca',
      cardRank: 'primary',
      path: 'nojs',
    });
    t.notMatch(JSON.stringify(audit.rows[0].details), /Harbour2Light/);
  },
);

t.test(
  'the same 統一編號 cannot register twice in one category, with its own message, but may in another',
  async (t) => {
    const again = await loadCard(new Browser(ctx.app, uniqueAddress()), 'taiguan-broker', 'customs_broker');
    // Already registered is not the applicant's fault: an outcome page with 直接登入 (工商憑證登入).
    t.equal(again.statusCode, 409);
    t.match(again.body, /此統一編號已有帳號/);
    t.match(again.body, /data-step="certificate_login">\s*<a href="\/login\/organisation-certificate">/);
    // The card is bound already, to this company's 報關業 account: it registers the company in 倉儲業 as well.
    const client = new Browser(ctx.app, uniqueAddress());
    const details = await loadCard(client, 'taiguan-broker', 'warehouse');
    t.equal(details.statusCode, 200);
    t.match(details.body, /<input id="organisationId" type="text" value="23456786" readonly/);
    const next = await client.post(`/register/organisation${query('warehouse')}`, {
      _csrf: csrfFrom(details.body),
      ...detailsFor({ licenceNumber: '保稅倉庫第 1 號' }),
    });
    t.equal(next.statusCode, 303);
    const confirm = await client.get(next.headers.location as string);
    const done = await client.post(`/register/organisation/confirm${query('warehouse')}`, {
      _csrf: csrfFrom(confirm.body),
    });
    t.equal(done.headers.location, '/register/organisation/done');
    const rows = await organisationRows('23456786');
    t.match(rows, [
      { category: 'customs_broker', cards: 1 },
      { category: 'warehouse', cards: 1, id_number: 'warehouse:23456786' },
    ]);
    const { rows: fingerprints } = await ctx.db.pool.query(
      'SELECT DISTINCT fingerprint_sha256 FROM certificates WHERE organisation_id = $1 AND unbound_at IS NULL',
      ['23456786'],
    );
    t.equal(fingerprints.length, 1, 'both accounts hold the one card');
  },
);

t.test(
  'with JavaScript an 一般企業 signs on the certificate page and is active at once, without a licence',
  async (t) => {
    const client = new Browser(ctx.app, uniqueAddress());
    const page = await client.get(`/register/organisation/certificate${query('enterprise')}`);
    const { tbs, nonce } = challengeFrom(page.body);
    const signed = await client.post(`/register/organisation/certificate${query('enterprise')}`, {
      _csrf: csrfFrom(page.body),
      ...signWithCard(pki, 'xinyi-trading', tbs, nonce),
    });
    t.equal(signed.statusCode, 303);
    t.equal(signed.headers.location, `/register/organisation${query('enterprise')}`);
    const details = await client.get(signed.headers.location as string);
    t.notMatch(details.body, /id="licenceNumber"/);
    const next = await client.post(`/register/organisation${query('enterprise')}`, {
      _csrf: csrfFrom(details.body),
      ...detailsFor({ organisationName: '信義貿易有限公司', licenceNumber: '' }),
    });
    t.equal(next.statusCode, 303);
    const confirm = await client.get(next.headers.location as string);
    const done = await client.post(`/register/organisation/confirm${query('enterprise')}`, {
      _csrf: csrfFrom(confirm.body),
    });
    t.equal(done.statusCode, 303);
    const receipt = await client.get('/register/organisation/done');
    t.match(receipt.body, /<dd id="account-status">已啟用<\/dd>/);
    t.match(receipt.body, /href="\/login\/organisation-certificate"/);
    t.match(await organisationRows('53100003'), [{ status: 'active', category: 'enterprise', licence_number: null }]);
  },
);

t.test('a double 送出 finds the first registration instead of refusing it', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const details = await loadCard(client, 'customs-agency', 'government');
  t.match(details.body, /value="2.16.886.101.99001.1" readonly/, 'an agency is named by its 機關代碼');
  const next = await client.post(`/register/organisation${query('government')}`, {
    _csrf: csrfFrom(details.body),
    ...detailsFor({ organisationName: '測試關務署', password: 'Customs9Agency', passwordConfirm: 'Customs9Agency' }),
  });
  const confirm = await client.get(next.headers.location as string);
  const csrf = csrfFrom(confirm.body);
  const [a, b] = await Promise.all([
    client.post(`/register/organisation/confirm${query('government')}`, { _csrf: csrf }),
    client.post(`/register/organisation/confirm${query('government')}`, { _csrf: csrf }),
  ]);
  t.same([a.statusCode, b.statusCode], [303, 303]);
  const rows = await organisationRows('2.16.886.101.99001.1');
  t.equal(rows.length, 1);
  t.match(rows[0], { status: 'pending_review', organisation_id_kind: 'agency_code', certificate_kind: 'gca' });
});

t.test('a citizen card on a company page and a business card on the 政府機關 page are refused by kind', async (t) => {
  const citizen = await loadCard(new Browser(ctx.app, uniqueAddress()), 'wang-xiaoming', 'enterprise');
  t.equal(citizen.statusCode, 200);
  t.match(citizen.body, /載入的不是工商憑證/);
  const business = await loadCard(new Browser(ctx.app, uniqueAddress()), 'xinyi-trading', 'government');
  t.match(business.body, /載入的不是政府憑證/);
  const encryption = await loadCard(
    new Browser(ctx.app, uniqueAddress()),
    'xinyi-trading',
    'enterprise',
    false,
    'encryption',
  );
  t.match(encryption.body, /加密用憑證/);
});

t.test('a revoked business card is refused', async (t) => {
  const page = await loadCard(new Browser(ctx.app, uniqueAddress()), 'closed-company', 'enterprise');
  t.equal(page.statusCode, 403, 'an outcome page');
  t.match(page.body, /這張憑證已被廢止或停用/);
  t.match(page.body, /data-step="renew_card"/);
  t.same(await organisationRows('86420006'), []);
});

t.test('通關專屬憑證註冊 takes only a certificate of the configured customs CA', async (t) => {
  const visitor = new Browser(ctx.app, uniqueAddress());
  const info = await visitor.get('/register/customs-certificate');
  t.match(info.body, /TRUST_DIR/);
  t.notMatch(info.body, /value="government"/, '政府機關 registers with its government certificate');
  const chosen = await visitor.post('/register/customs-certificate', {
    _csrf: csrfFrom(info.body),
    category: 'shipping',
  });
  t.equal(chosen.headers.location, `/register/organisation/certificate${query('shipping', true)}`);

  const business = await loadCard(new Browser(ctx.app, uniqueAddress()), 'xinyi-trading', 'shipping', true);
  t.match(business.body, /載入的不是通關專屬憑證/);
  const customsOnMoeaca = await loadCard(new Browser(ctx.app, uniqueAddress()), 'farglory-customs', 'customs_broker');
  t.match(customsOnMoeaca.body, /載入的不是工商憑證/);

  const client = new Browser(ctx.app, uniqueAddress());
  const details = await loadCard(client, 'farglory-customs', 'customs_broker', true);
  t.equal(details.statusCode, 200);
  t.match(details.body, /value="13579009" readonly/);
  t.match(details.body, /通關專屬憑證/);
  const next = await client.post(`/register/organisation${query('customs_broker', true)}`, {
    _csrf: csrfFrom(details.body),
    ...detailsFor({ organisationName: '遠通報關有限公司' }),
  });
  const confirm = await client.get(next.headers.location as string);
  const done = await client.post(`/register/organisation/confirm${query('customs_broker', true)}`, {
    _csrf: csrfFrom(confirm.body),
  });
  t.equal(done.statusCode, 303);
  t.match(await organisationRows('13579009'), [
    { certificate_kind: 'customs', category: 'customs_broker', status: 'pending_review' },
  ]);
});

/** Frees the 一般企業 demo card for another category: its binding ends as an operator's 解除綁定 would end it. */
async function freeXinyiCard() {
  const certificates = certificatesRepository(ctx.db.pool);
  for (const c of await certificates.listActiveByOrganisationId('53100003')) await certificates.unbind(c.id, 'test');
}

t.test('the details are refused field by field, values kept but the passwords', async (t) => {
  await freeXinyiCard();
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await loadCard(client, 'xinyi-trading', 'duty_free_shop');
  t.equal(page.statusCode, 200);
  const res = await client.post(`/register/organisation${query('duty_free_shop')}`, {
    _csrf: csrfFrom(page.body),
    ...detailsFor({
      representative: '',
      licenceNumber: '',
      phone: '123',
      password: 'short',
      passwordConfirm: 'other',
      email1: 'x',
    }),
  });
  t.equal(res.statusCode, 400);
  for (const href of ['#representative', '#phone', '#licenceNumber', '#password', '#passwordConfirm', '#email1']) {
    t.match(res.body, `href="${href}"`, href);
  }
  t.match(res.body, /此申請類別須填寫證照（許可）字號/);
  t.match(res.body, /value="陳小芬"/, 'kept');
  t.notMatch(res.body, /value="short"/, 'no password kept');
  t.match(res.body, /value="53100003" readonly/, 'the 統一編號 still from the card');
});

t.test('a card kept past its challenge sends 送出 back to load it again, the details kept', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  await freeXinyiCard();
  const details = await loadCard(client, 'xinyi-trading', 'shipping');
  clock.advance(CHALLENGE_LIFETIME_MS + 1000);
  const res = await client.post(`/register/organisation${query('shipping')}`, {
    _csrf: csrfFrom(details.body),
    ...detailsFor({ organisationName: '信義貿易有限公司' }),
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/register/organisation/certificate${query('shipping')}`);
  const page = await client.get(res.headers.location as string);
  t.match(page.body, /超過 5 分鐘未送出/);
  const { tbs, nonce } = challengeFrom(page.body);
  const back = await callback(signWithCard(pki, 'xinyi-trading', tbs, nonce));
  const after = await client.get(back.headers.location as string);
  t.equal(after.statusCode, 303, 'a card loaded again with the details kept goes to 送出');
  t.equal(after.headers.location, `/register/organisation/confirm${query('shipping')}`);
});

t.test(
  'every company and agency category of the chooser completes a registration with a demo card, then logs in with it',
  async (t) => {
    // 政府機關 registered with the demo agency card above (the double 送出 test); here every business category.
    const agency = await organisationRows('2.16.886.101.99001.1');
    t.same(
      agency.map((r) => [r.category, r.status]),
      [['government', 'pending_review']],
    );
    const business = ORGANISATION_CATEGORIES.filter((c) => c !== 'government');
    for (const category of business) {
      const cardId = EVERY_CATEGORY_CARD.id;
      const client = new Browser(ctx.app, uniqueAddress());
      const details = await loadCard(client, cardId, category);
      t.equal(details.statusCode, 200, `${category}: the card loads`);
      const next = await client.post(`/register/organisation${query(category)}`, {
        _csrf: csrfFrom(details.body),
        ...detailsFor({
          organisationName: EVERY_CATEGORY_CARD.organisation.name,
          licenceNumber: ORGANISATION_RULES[category].licence ? '北關登字第 2468 號' : '',
        }),
      });
      t.equal(next.statusCode, 303, `${category}: the details are accepted`);
      const confirm = await client.get(next.headers.location as string);
      const done = await client.post(`/register/organisation/confirm${query(category)}`, {
        _csrf: csrfFrom(confirm.body),
      });
      t.equal(done.headers.location, '/register/organisation/done', `${category}: 送出 registers`);
      const receipt = await client.get('/register/organisation/done');
      const expected = ORGANISATION_RULES[category].approval ? '審核中' : '已啟用';
      t.match(receipt.body, `<dd id="account-status">${expected}</dd>`, `${category}: ${expected}`);
    }
    const rows = await organisationRows(EVERY_CATEGORY_CARD.idNumber);
    t.same(
      rows.map((r) => r.category),
      business,
      'one account in each business category, all with the one card',
    );
    t.ok(rows.every((r) => r.cards === 1));

    // The card now logs in to any of them: the login asks which.
    const client = new Browser(ctx.app, uniqueAddress());
    const page = await client.get('/login/organisation-certificate');
    const { tbs, nonce } = challengeFrom(page.body);
    const login = await client.post('/login/organisation-certificate', {
      _csrf: csrfFrom(page.body),
      ...signWithCard(pki, EVERY_CATEGORY_CARD.id, tbs, nonce),
    });
    t.equal(login.headers.location, '/login/certificate/choose');
    const choose = await client.get('/login/certificate/choose');
    for (const row of rows) t.match(choose.body, `value="${row.id}"`, `${row.category} is offered`);
    const enterprise = rows.find((r) => r.category === 'enterprise')!;
    const chosen = await client.post('/login/certificate/choose', {
      _csrf: csrfFrom(choose.body),
      accountId: String(enterprise.id),
    });
    t.equal(chosen.headers.location, '/account', '一般企業 is active at once and logs in');
  },
);
