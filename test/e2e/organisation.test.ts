// Company registration, its approval by an operator and its certificate login in Chromium, JavaScript off and on,
// with the real local signer and the demo PKI's 工商憑證 soft cards; axe-core on every step. The portal is served on
// localhost and the signer on 127.0.0.1: two sites, as in production (DESIGN.md §3.5).
import t from 'tap';
import type { Page } from 'playwright-core';
import { startSigningPortal } from './helpers/signing-portal';
import { expectAxeClean } from './helpers/browser';
import { hashPassword } from '../../server/auth/passwords';
import { createAccount } from '../admin/fixtures';

const setup = await startSigningPortal({ name: 'organisation-e2e' });
t.teardown(setup.close);
const { pki, portal, signer } = setup;

const OPERATOR_PASSWORD = 'Operator2026x';
const operator = await createAccount(portal.db.pool, {
  role: 'operator',
  name: '陳承辦',
  idNumber: 'A100000001',
  passwordHash: await hashPassword(OPERATOR_PASSWORD),
});

function insertCard(cardId: string): void {
  signer.service.insertedCard = pki.card(cardId).cardSerial;
}

const path = (page: Page) => new URL(page.url()).pathname;

async function fillDetails(page: Page, licence: boolean) {
  await page.fill('#representative', '林大海');
  await page.fill('#contactName', '陳小芬');
  await page.fill('#phone', '(02)2345-6789');
  await page.fill('#address', '臺北市中正區忠孝西路一段 1 號');
  if (licence) await page.fill('#licenceNumber', '北關登字第 1234 號');
  await page.fill('#password', 'Harbour2Light');
  await page.fill('#passwordConfirm', 'Harbour2Light');
  await page.fill('#email1', 'customs@example.com.tw');
  await page.check('#consent');
}

async function status(organisationId: string) {
  const { rows } = await portal.db.pool.query(
    'SELECT a.id, a.status, a.category FROM accounts a JOIN organisation_accounts o ON o.account_id = a.id WHERE o.organisation_id = $1',
    [organisationId],
  );
  return rows[0] as { id: number; status: string; category: string } | undefined;
}

t.test(
  'without JavaScript a 報關業 registers: chooser, 工商憑證, the signer, details, confirm, 註冊完成',
  async (t) => {
    const card = pki.card('taiguan-broker');
    insertCard(card.id);
    const page = await portal.newPage({ js: false });
    await page.goto(portal.url('/register'));
    await page.check('#category-customs_broker');
    await page.click('form[action="/register"] button[type="submit"]');
    t.equal(path(page), '/register/business');
    await expectAxeClean(page, t);
    await page.click('#start-registration');
    t.equal(path(page), '/register/organisation/certificate');
    t.match(await page.textContent('h1'), '報關業註冊（工商憑證）');
    t.match(await page.textContent('#step-progress'), '步驟 1／4');
    await expectAxeClean(page, t);
    t.equal(await page.getAttribute('#signer-form', 'action'), `${signer.url}/nojs/sign`, 'the PIN goes to the signer');

    await page.fill('#pin', card.pin);
    await page.click('#load-certificate');
    t.equal(new URL(page.url()).origin, signer.url);
    t.equal((await page.textContent('h1'))?.trim(), '憑證載入完成。');
    await page.click('form button[type="submit"]');
    t.equal(path(page), '/register/organisation', '確定 comes back through the callback to the details');
    t.equal(await page.inputValue('#organisationId'), '23456786', 'the 統一編號 from the certificate');
    t.ok((await page.getAttribute('#organisationId', 'readonly')) !== null, 'read-only');
    t.equal(await page.inputValue('#organisationName'), '台關報關股份有限公司');
    await expectAxeClean(page, t);

    await fillDetails(page, true);
    await page.click('#details-next');
    t.equal(path(page), '/register/organisation/confirm');
    t.match(await page.textContent('main'), '北關登字第 1234 號');
    await expectAxeClean(page, t);
    await page.click('#confirm-submit');
    t.equal(path(page), '/register/organisation/done');
    t.match(await page.textContent('main'), '註冊完成');
    t.match(await page.textContent('#account-status'), '審核中');
    await expectAxeClean(page, t);
    t.match(await status('23456786'), { status: 'pending_review', category: 'customs_broker' });
  },
);

t.test(
  'an operator approves the 報關業 with JavaScript off, then it logs in with its card (JavaScript on)',
  async (t) => {
    const applicant = (await status('23456786'))!;
    const page = await portal.newPage({ js: false });
    await page.goto(portal.url('/login/password'));
    await page.fill('#idNumber', operator.idNumber);
    await page.fill('#password', OPERATOR_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('form[method="post"] button[type="submit"]')]);
    await page.goto(portal.url(`/admin/accounts/${applicant.id}`));
    t.equal(await page.textContent('#organisation-id'), '23456786');
    t.equal(await page.textContent('#licence-number'), '北關登字第 1234 號');
    await expectAxeClean(page, t);
    await page.click(`a[href="/admin/accounts/${applicant.id}/approve"]`);
    await expectAxeClean(page, t);
    await page.fill('#reason', '報關業設置登記證已向海關核對');
    await Promise.all([
      page.waitForNavigation(),
      page.click('form[method="post"][action$="/approve"] button[type="submit"]'),
    ]);
    t.match((await page.textContent('#account-status')) ?? '', /已啟用/);
    t.match(await status('23456786'), { status: 'active' });

    insertCard('taiguan-broker');
    const login = await portal.newPage({ js: true });
    await login.goto(portal.url('/login'));
    await login.click('a[href="/login/organisation-certificate"]');
    t.equal(path(login), '/login/organisation-certificate');
    await expectAxeClean(login, t);
    await login.fill('#pin', pki.card('taiguan-broker').pin);
    await login.click('#load-certificate');
    await login.waitForSelector('#signed-message', { state: 'visible' });
    t.equal((await login.textContent('#signed-message'))?.trim(), '憑證載入完成。');
    await expectAxeClean(login, t);
    await login.click('#signed-form button[type="submit"]');
    await login.waitForURL(portal.url('/account'));
    t.match(await login.textContent('main'), '台關報關股份有限公司');
  },
);

t.test('with JavaScript an 一般企業 registers and is active at once; without JavaScript it logs in', async (t) => {
  const card = pki.card('xinyi-trading');
  insertCard(card.id);
  const page = await portal.newPage({ js: true });
  await page.goto(portal.url('/register/organisation/certificate?category=enterprise'));
  await page.fill('#pin', card.pin);
  await page.click('#load-certificate');
  await page.waitForSelector('#signed-message', { state: 'visible' });
  await expectAxeClean(page, t);
  await page.click('#signed-form button[type="submit"]');
  await page.waitForURL(/\/register\/organisation\?category=enterprise$/);
  t.equal(await page.inputValue('#organisationId'), '53100003');
  t.notOk(await page.isVisible('#licenceNumber'), '一般企業 gives no licence');
  await fillDetails(page, false);
  await page.click('#details-next');
  await page.waitForURL(/\/register\/organisation\/confirm/);
  await page.click('#confirm-submit');
  await page.waitForURL(portal.url('/register/organisation/done'));
  t.match(await page.textContent('#account-status'), '已啟用');
  await expectAxeClean(page, t);

  const login = await portal.newPage({ js: false });
  await login.goto(portal.url('/login/organisation-certificate'));
  await login.fill('#pin', card.pin);
  await login.click('#load-certificate');
  t.equal(new URL(login.url()).origin, signer.url);
  await login.click('form button[type="submit"]');
  t.equal(path(login), '/login/certificate/confirm');
  t.match(await login.textContent('main'), '信義貿易有限公司');
  await expectAxeClean(login, t);
  await login.click('form[action="/login/certificate/confirm"] button[type="submit"]');
  t.equal(path(login), '/account');
});

for (const js of [false, true]) {
  t.test(
    `帳號密碼登入 with JavaScript ${js ? 'on' : 'off'}: the company form's errors at the top and at the field, then 我的帳號`,
    async (t) => {
      // The 一般企業 registered above (active at once) logs in with its category, 統一編號 and password.
      const page = await portal.newPage({ js });
      await page.goto(portal.url('/login/password'));
      await expectAxeClean(page, t);
      await page.fill('#organisationId', '53100003');
      await page.click('#organisation-login button[type="submit"]');
      t.equal(path(page), '/login/password');
      t.equal(await page.inputValue('#organisationId'), '53100003', 'the 統一編號 is kept');
      t.match(await page.textContent('.error-summary'), '請選擇申請類別');
      t.equal(await page.getAttribute('#category', 'aria-invalid'), 'true');
      await expectAxeClean(page, t);
      await page.selectOption('#category', 'enterprise');
      await page.fill('#orgPassword', 'Harbour2Light');
      await page.click('#organisation-login button[type="submit"]');
      t.equal(path(page), '/account');
      const main = (await page.textContent('main')) ?? '';
      t.match(main, '信義貿易有限公司');
      t.match(main, '一般企業');
      await expectAxeClean(page, t);
    },
  );
}
