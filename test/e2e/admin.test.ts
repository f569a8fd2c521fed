// The operator pages in Chromium with JavaScript off: an operator approves a pending 報關專責人員 registration and the
// applicant can then log in; axe-core is clean on every admin page.
import t from 'tap';
import type { Page } from 'playwright-core';
import { startPortal, expectAxeClean } from './helpers/browser';
import { hashPassword } from '../../server/auth/passwords';
import { bindCertificate, createAccount, lockOut } from '../admin/fixtures';

const portal = await startPortal();
t.teardown(portal.close);
const pool = portal.db.pool;

const OPERATOR_PASSWORD = 'Operator2026x';
const APPLICANT_PASSWORD = 'Applicant2026x';
const operator = await createAccount(pool, {
  role: 'operator',
  name: '陳承辦',
  idNumber: 'A100000001',
  passwordHash: await hashPassword(OPERATOR_PASSWORD),
});
const admin = await createAccount(pool, {
  role: 'admin',
  name: '張管理',
  idNumber: 'A100000002',
  passwordHash: await hashPassword(OPERATOR_PASSWORD),
});
// A pending registration, created directly in SQL as the registration journey would leave it.
const applicantId = (
  await pool.query(
    `INSERT INTO accounts (category, role, id_number, name, birth_date, phone, address, email1, password_hash, status)
   VALUES ('customs_specialist', 'citizen', 'F123456789', '李報關', '1985-03-02', '0912345678', '高雄市前鎮區', 'lee@example.tw', $1, 'pending_review')
   RETURNING id`,
    [await hashPassword(APPLICANT_PASSWORD)],
  )
).rows[0].id as number;
const locked = await createAccount(pool, { name: '周鎖定' });
await lockOut(pool, locked.id);
await bindCertificate(pool, locked.id, '周鎖定');
// A pending 報關專責人員 whose contact name is not the name on the card: the pages flag it.
const mismatched = await createAccount(pool, {
  category: 'customs_specialist',
  status: 'pending_review',
  name: '陳小姐',
});
await bindCertificate(pool, mismatched.id, '林美華');

async function logIn(page: Page, idNumber: string, password: string): Promise<void> {
  await page.goto(portal.url('/login/password'));
  await page.fill('#idNumber', idNumber);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form[method="post"] button[type="submit"]')]);
}

t.test('the applicant cannot log in while the registration is pending', async (t) => {
  const page = await portal.newPage({ js: false });
  await logIn(page, 'F123456789', APPLICANT_PASSWORD);
  t.equal(new URL(page.url()).pathname, '/login/password');
  // Not the applicant's fault: an outcome page with what to expect, not a form error.
  t.ok(await page.isVisible('#outcome[data-reason="account_pending"]'));
  t.equal((await page.textContent('h1'))?.trim(), '您的帳號正在審核中');
  t.ok(await page.isVisible('[data-step="wait_review"]'));
});

t.test(
  'an operator approves a pending registration with JavaScript off, and the applicant can then log in',
  async (t) => {
    const page = await portal.newPage({ js: false });
    await page.goto(portal.url('/admin'));
    t.match(new URL(page.url()).pathname, /^\/login/, 'an anonymous visitor is sent to log in');

    await logIn(page, operator.idNumber, OPERATOR_PASSWORD);
    await page.goto(portal.url('/admin'));
    t.equal(await page.textContent('h1'), '承辦人員總覽');

    await page.click('a[href="/admin/accounts?status=pending_review"] >> nth=0');
    t.equal(new URL(page.url()).searchParams.get('status'), 'pending_review');
    await page.click(`a[href="/admin/accounts/${applicantId}"]`);
    t.equal(await page.textContent('#id-number'), 'F12****789');

    await page.click(`a[href="/admin/accounts/${applicantId}/approve"]`);
    // Submitting without a reason shows the error summary and keeps the page.
    await Promise.all([
      page.waitForNavigation(),
      page.click('form[method="post"][action$="/approve"] button[type="submit"]'),
    ]);
    t.ok(await page.isVisible('.error-summary a[href="#reason"]'));
    await page.fill('#reason', '專責人員證照已核對無誤');
    await Promise.all([
      page.waitForNavigation(),
      page.click('form[method="post"][action$="/approve"] button[type="submit"]'),
    ]);
    t.equal(new URL(page.url()).pathname, `/admin/accounts/${applicantId}`);
    t.match((await page.textContent('#flash')) ?? '', /已核准 李報關 的註冊申請/);
    t.match((await page.textContent('#account-status')) ?? '', /已啟用/);

    const applicant = await portal.newPage({ js: false });
    await logIn(applicant, 'F123456789', APPLICANT_PASSWORD);
    t.equal(new URL(applicant.url()).pathname, '/account', 'the approved applicant is logged in');

    const { rows } = await pool.query(
      "SELECT actor_label, reason FROM audit_events WHERE action = 'account.approve' AND subject_account_id = $1",
      [applicantId],
    );
    t.same(rows, [{ actor_label: 'operator:陳承辦', reason: '專責人員證照已核對無誤' }]);
  },
);

for (const lang of ['zh-TW', 'en'] as const) {
  t.test(`every admin page is axe-clean with JavaScript off in ${lang}`, async (t) => {
    const page = await portal.newPage({ js: false, lang });
    await logIn(page, admin.idNumber, OPERATOR_PASSWORD);
    const pages = [
      '/admin',
      '/admin/accounts',
      '/admin/accounts?status=active&category=individual&from=2020-01-01&to=2030-12-31&q=%E5%91%A8',
      '/admin/accounts?from=2026-02-30',
      `/admin/accounts/${locked.id}`,
      `/admin/accounts/${locked.id}/unlock`,
      `/admin/accounts/${locked.id}/suspend`,
      `/admin/accounts/${locked.id}/full-id`,
      `/admin/accounts/${locked.id}/approve`,
      `/admin/accounts/${mismatched.id}`,
      `/admin/accounts/${mismatched.id}/approve`,
      '/admin/audit',
      '/admin/audit?action=account.approve',
    ];
    for (const path of pages) {
      const response = await page.goto(portal.url(path));
      t.ok([200, 400, 409].includes(response?.status() ?? 0), `${path} answered ${response?.status()}`);
      t.equal(await page.getAttribute('html', 'lang'), lang);
      await expectAxeClean(page, t);
    }
    await page.goto(portal.url(`/admin/accounts/${mismatched.id}/approve`));
    t.ok(await page.isVisible('#name-mismatch'), 'the approve page warns that the names differ');
    // A reason form with its error, the chain check's result and the full ID view.
    await page.goto(portal.url(`/admin/accounts/${locked.id}/suspend`));
    await Promise.all([
      page.waitForNavigation(),
      page.click('form[method="post"] button[type="submit"] >> text=/停用帳號|Suspend/'),
    ]);
    t.ok(await page.isVisible('.error-summary'));
    await expectAxeClean(page, t);
    await page.goto(portal.url('/admin/audit'));
    await Promise.all([page.waitForNavigation(), page.click('form[action="/admin/audit/verify"] button')]);
    t.ok(await page.isVisible('#flash'));
    await expectAxeClean(page, t);
    await page.goto(portal.url(`/admin/accounts/${locked.id}/full-id`));
    await page.fill('#reason', 'axe check');
    await Promise.all([
      page.waitForNavigation(),
      page.click('form[method="post"] button[type="submit"] >> text=/顯示完整身分證號|Show the full ID number/'),
    ]);
    t.equal(await page.textContent('#id-number'), locked.idNumber);
    await expectAxeClean(page, t);
  });
}

t.test('a citizen sees an accessible 403 page on /admin', async (t) => {
  const page = await portal.newPage({ js: false });
  await logIn(page, 'F123456789', APPLICANT_PASSWORD);
  const response = await page.goto(portal.url('/admin/accounts'));
  t.equal(response?.status(), 403);
  await expectAxeClean(page, t);
});

t.test('the accounts list fits a phone screen (the table scrolls inside its box)', async (t) => {
  const page = await portal.newPage({ js: false, viewport: { width: 360, height: 740 } });
  await logIn(page, operator.idNumber, OPERATOR_PASSWORD);
  for (const path of ['/admin', '/admin/accounts', '/admin/audit']) {
    await page.goto(portal.url(path));
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    t.ok(overflow <= 0, `${path} has no horizontal page scroll (${overflow}px)`);
  }
});
