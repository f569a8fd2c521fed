// The operator pages in Chromium: the whole width for the content (no citizen menu), the operator menu reachable by
// its access key's anchor, reject and suspend in red, and each mail's delivery on the account page; axe-core clean.
import t from 'tap';
import type { Page } from 'playwright-core';
import { startPortal, expectAxeClean } from './helpers/browser';
import { hashPassword } from '../../server/auth/passwords';
import { createAccount } from '../admin/fixtures';

// A closed port on loopback: the mail of the decision below fails, and its account page says so.
const portal = await startPortal({ env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
t.teardown(portal.close);
const pool = portal.db.pool;
const PASSWORD = 'Operator2026x';
const operator = await createAccount(pool, {
  role: 'operator',
  name: '陳承辦',
  idNumber: 'A100000011',
  passwordHash: await hashPassword(PASSWORD),
});
const applicant = await createAccount(pool, {
  category: 'customs_specialist',
  status: 'pending_review',
  name: '李報關',
});

async function logIn(page: Page): Promise<void> {
  await page.goto(portal.url('/login/password'));
  await page.fill('#idNumber', operator.idNumber);
  await page.fill('#password', PASSWORD);
  await Promise.all([
    page.waitForNavigation(),
    page.click('form[method="post"][action="/login/password"] button[type="submit"]'),
  ]);
}

t.test('the operator pages use the whole width, with the operator menu above the content', async (t) => {
  const page = await portal.newPage({ js: false, viewport: { width: 1280, height: 900 } });
  await logIn(page);
  for (const path of ['/admin', '/admin/accounts', `/admin/accounts/${applicant.id}`, '/admin/audit']) {
    await page.goto(portal.url(path));
    t.equal(await page.locator('.side-menu').count(), 0, `${path}: no citizen menu`);
    const main = await page.locator('main').boundingBox();
    const nav = await page.locator('.admin-nav').boundingBox();
    t.ok(main && main.width > 1180, `${path}: the content takes the width (${main?.width}px of 1280)`);
    t.ok(nav && main && nav.y + nav.height <= main.y, `${path}: the operator menu is above the content`);
    await expectAxeClean(page, t);
  }
  // 導盲磚 L leads to the operator menu, as it leads to the left menu elsewhere.
  await page.goto(portal.url('/admin#L'));
  t.equal(await page.evaluate(() => document.getElementById('L')?.closest('nav')?.className), 'admin-nav');
});

t.test('reject and suspend are red; a rejection whose mail failed is shown as failed', async (t) => {
  const page = await portal.newPage({ js: false });
  await logIn(page);
  await page.goto(portal.url(`/admin/accounts/${applicant.id}`));
  const colour = (selector: string) => page.locator(selector).evaluate((el) => getComputedStyle(el).backgroundColor);
  t.equal(await colour(`a[href$="/${applicant.id}/reject"]`), 'rgb(176, 0, 32)');
  t.not(await colour(`a[href$="/${applicant.id}/approve"]`), 'rgb(176, 0, 32)');

  await page.click(`a[href$="/${applicant.id}/reject"]`);
  t.equal(await colour('form[action$="/reject"] button[type="submit"]'), 'rgb(176, 0, 32)');
  t.match(await page.textContent('#reason-hint'), '寄給申請人的退件通知信');
  await page.fill('#reason', '證照影本不清楚');
  await Promise.all([page.waitForNavigation(), page.click('form[action$="/reject"] button[type="submit"]')]);
  await portal.app.notifier.idle();
  await page.reload();
  t.match(await page.textContent('#mails'), /退件通知（含理由）\s*寄送失敗/);
  t.match(await page.textContent('#mails'), 'ECONNREFUSED');
  await expectAxeClean(page, t);
});
