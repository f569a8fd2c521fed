// Operators and company or agency accounts: the detail page shows the organisation fields (統一編號 or 機關代碼 from the
// certificate, the name in it, 負責人, 聯絡人, licence number), the list filters by the new categories, and approve and
// reject act on a pending company account as on a customs specialist's.
import t from 'tap';
import { buildTestApp } from '../helpers/app';
import { demoCardVerifier, makeDemoPki } from '../helpers/demo-cards';
import { accountsRepository } from '../../server/db/accounts-repository';
import { organisationDraftFrom, registerOrganisation } from '../../server/registration/organisation';
import type { OrganisationCategory } from '../../server/registration/organisation-rules';
import { createCast, csrfTokenFor, postForm } from './fixtures';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const verifier = demoCardVerifier(demo.pki);
const ctx = await buildTestApp({}, { cardVerifier: verifier });
t.teardown(ctx.close);
const pool = ctx.db.pool;
const cast = await createCast(pool);
const csrf = await csrfTokenFor(ctx.app, cast.cookies.operator);

async function register(cardId: string, category: OrganisationCategory, certificate: 'moeaca' | 'gca', name?: string) {
  const card = demo.pki.card(cardId);
  const check = await verifier.verifyCertificate(card.signingCertDer.toString('base64'), new Date());
  if (!check.ok) throw new Error(check.reason);
  const draft = await organisationDraftFrom(
    {
      organisationName: name ?? card.organisation!.name,
      representative: '林大海',
      contactName: '陳小芬',
      phone: '(02)2345-6789',
      mobile: '0912-345-678',
      address: '臺北市中正區',
      licenceNumber: category === 'customs_broker' ? '北關登字第 1234 號' : null,
      password: 'Harbour2Light',
      email1: 'a@example.com.tw',
      email2: null,
      personalDataNotice: 'test',
    },
    { category, certificate },
  );
  const outcome = await registerOrganisation(pool, draft, check.identity, {
    sessionId: `s-${cardId}`,
    nonce: `n-${cardId}`,
    now: new Date(),
    path: 'nojs',
  });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.receipt;
}

const broker = await register('taiguan-broker', 'customs_broker', 'moeaca', '台關報關股份有限公司（台北分公司）');
const agency = await register('customs-agency', 'government', 'gca');

const get = (url: string) => ctx.app.inject({ url, headers: { cookie: cast.cookies.operator } });

t.test(
  'the account page shows the company fields, the certificate name beside the typed one, and the licence',
  async (t) => {
    const page = await get(`/admin/accounts/${broker.accountId}`);
    t.equal(page.statusCode, 200);
    t.match(page.body, /公司（機關）資料/);
    t.match(page.body, /<dd class="mono" id="organisation-id">23456786<\/dd>/);
    t.match(page.body, /工商憑證/);
    t.match(page.body, /台關報關股份有限公司（台北分公司）/);
    t.match(page.body, /<dd>台關報關股份有限公司<\/dd>/, 'the name in the certificate');
    t.match(page.body, /填寫的名稱與憑證上的名稱不同/);
    t.match(page.body, /林大海/);
    t.match(page.body, /陳小芬/);
    t.match(page.body, /<dd id="licence-number">北關登字第 1234 號<\/dd>/);
    t.match(page.body, /核准前請向海關核對此證照字號/);
    t.match(page.body, /報關業/);
    t.notMatch(page.body, /身分證號末四碼/, 'no citizen card evidence');
    t.match(page.body, `href="/admin/accounts/${broker.accountId}/approve"`);
    t.match(page.body, `href="/admin/accounts/${broker.accountId}/reject"`);
  },
);

t.test('an agency shows its 機關代碼', async (t) => {
  const page = await get(`/admin/accounts/${agency.accountId}`);
  t.match(page.body, /機關代碼/);
  t.match(page.body, /2\.16\.886\.101\.99001\.1/);
  t.match(page.body, /政府憑證/);
});

t.test('the list filters by a company category', async (t) => {
  const list = await get('/admin/accounts?category=customs_broker');
  t.equal(list.statusCode, 200);
  t.match(list.body, /台關報關股份有限公司（台北分公司）/);
  t.notMatch(list.body, /測試關務署/);
  t.match(list.body, /<option value="government"[^>]*>政府機關<\/option>/);
});

t.test('an operator approves the pending 報關業 and rejects the agency, each with a reason', async (t) => {
  const form = await get(`/admin/accounts/${broker.accountId}/approve`);
  t.equal(form.statusCode, 200);
  t.match(form.body, /核准註冊申請/);
  const approved = await postForm(ctx.app, `/admin/accounts/${broker.accountId}/approve`, cast.cookies.operator, {
    _csrf: csrf,
    reason: '報關業設置登記證已向海關核對',
  });
  t.equal(approved.statusCode, 303);
  t.equal((await accountsRepository(pool).findById(broker.accountId))?.status, 'active');
  const rejected = await postForm(ctx.app, `/admin/accounts/${agency.accountId}/reject`, cast.cookies.operator, {
    _csrf: csrf,
    reason: '機關未指派承辦人',
  });
  t.equal(rejected.statusCode, 303);
  t.equal((await accountsRepository(pool).findById(agency.accountId))?.status, 'rejected');
  const { rows } = await pool.query(
    "SELECT action, reason FROM audit_events WHERE subject_account_id = $1 AND action LIKE 'account.%' ORDER BY id",
    [broker.accountId],
  );
  t.match(rows, [{ reason: '報關業設置登記證已向海關核對' }]);
});
