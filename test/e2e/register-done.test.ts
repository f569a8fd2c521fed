// 註冊完成 in Chromium after a real registration (the local signer, the demo PKI's soft cards): the 申請編號 and the
// time, 列印 without JavaScript (the printable page) and with it (the browser's print), the print stylesheet, phone
// width, axe-core on each page; and the registration's e-mail arriving at a mail catcher on loopback.
import t from 'tap';
import type { Page } from 'playwright-core';
import { startSigningPortal } from './helpers/signing-portal';
import { expectAxeClean } from './helpers/browser';
import { startMailCatcher } from '../helpers/mail-catcher';

const catcher = await startMailCatcher();
t.teardown(catcher.close);
const setup = await startSigningPortal({
  name: 'register-done-e2e',
  env: { SMTP_URL: catcher.url, MAIL_FROM: '關港貿單一窗口 <no-reply@portal.example.tw>' },
});
t.teardown(setup.close);
const { pki, portal, signer } = setup;

async function fillDetails(page: Page, card: { holderName: string; idNumber: string }) {
  await page.check('#category');
  await page.fill('#name', card.holderName);
  await page.fill('#idNumber', card.idNumber);
  await page.fill('#birthDate', '69/05/17');
  await page.fill('#phone', '0912-345-678');
  await page.fill('#address', '臺北市中正區忠孝西路一段 1 號');
  await page.fill('#password', 'Harbour2Light');
  await page.fill('#passwordConfirm', 'Harbour2Light');
  await page.fill('#email1', 'applicant@example.com.tw');
  await page.check('#consent');
}

async function referenceOf(idNumber: string): Promise<string> {
  const { rows } = await portal.db.pool.query('SELECT reference FROM accounts WHERE id_number = $1', [idNumber]);
  return rows[0].reference;
}

const path = (page: Page) => new URL(page.url()).pathname;

t.test('without JavaScript 註冊完成 shows the reference and time, and 列印 opens a printable page', async (t) => {
  const wang = pki.card('wang-xiaoming');
  signer.service.insertedCard = wang.cardSerial;
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/register/citizen?category=individual'));
  await fillDetails(page, wang);
  await page.click('#nojs-buttons button[value="next"]');
  await page.fill('#pin', wang.pin);
  await page.click('#load-certificate');
  await page.click('form button[type="submit"]');
  await page.click('#confirm-submit');
  t.equal(path(page), '/register/citizen/done');

  const reference = await referenceOf(wang.idNumber);
  t.equal((await page.textContent('#reference'))?.trim(), reference);
  t.match(await page.textContent('#submitted-at'), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}（臺灣時間）$/);
  t.match(await page.textContent('#mail-notice'), '註冊完成通知信將寄到 applicant@example.com.tw');
  await expectAxeClean(page, t);

  // Printed as it is (Ctrl+P): the content only, without the header, the menu, the footer or the 列印 link itself.
  await page.emulateMedia({ media: 'print' });
  t.notOk(await page.isVisible('.site-header'), 'no header in print');
  t.notOk(await page.isVisible('.side-menu'), 'no menu in print');
  t.notOk(await page.isVisible('#print-receipt'), 'no 列印 button in print');
  t.ok(await page.isVisible('#reference'), 'the reference is printed');
  await page.emulateMedia({ media: 'screen' });

  await page.click('#print-receipt');
  t.equal(path(page), '/register/citizen/done/print', 'without JavaScript 列印 is a link to the printable page');
  t.equal((await page.textContent('#reference'))?.trim(), reference);
  t.notOk(await page.isVisible('.side-menu'), 'no menu on the printable page');
  t.match(await page.textContent('main'), '請使用瀏覽器的「列印」功能（Ctrl+P）');
  t.notOk(await page.isVisible('[data-print-label] button'), 'no print button without JavaScript');
  await expectAxeClean(page, t);
  await page.emulateMedia({ media: 'print' });
  t.notOk(await page.isVisible('.no-print'), 'the instructions are not printed');
  t.ok(await page.isVisible('.printable__site'), 'the site name is');
  await page.emulateMedia({ media: 'screen' });
  await page.click('text=回註冊完成頁');
  t.equal(path(page), '/register/citizen/done');

  const [mail] = await catcher.waitFor(1);
  t.equal(mail.parsed.subject, `【關港貿單一窗口】帳號註冊完成（申請編號 ${reference}）`);
  t.match(mail.parsed.text, `申請編號：${reference}`);
});

t.test('with JavaScript 列印 prints the page itself, and the page reads well at phone width', async (t) => {
  const lin = pki.card('lin-meihua');
  signer.service.insertedCard = lin.cardSerial;
  const page = await portal.newPage({ js: true, lang: 'en', viewport: { width: 390, height: 844 } });
  await page.goto(portal.url('/register/citizen'));
  await fillDetails(page, lin);
  await page.fill('#pin', lin.pin);
  await page.click('#load-certificate');
  await page.waitForSelector('#signed-message', { state: 'visible' });
  await page.click('#register-submit');
  await page.waitForURL(portal.url('/register/citizen/done'));
  const reference = await referenceOf(lin.idNumber);
  t.equal((await page.textContent('#reference'))?.trim(), reference);
  t.match(await page.textContent('#submitted-at'), /\(Taiwan time\)$/);
  await expectAxeClean(page, t);

  // The reference stays on one line at phone width: it is read out to the service desk.
  const box = await page.locator('#reference').boundingBox();
  const lineHeight = await page.locator('#reference').evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
  t.ok(box && box.height < lineHeight * 1.5, 'the reference is on one line');

  await page.evaluate(() => {
    (window as unknown as { printed: number }).printed = 0;
    window.addEventListener('beforeprint', () => (window as unknown as { printed: number }).printed++);
  });
  await page.click('#print-receipt');
  await page.waitForFunction(() => (window as unknown as { printed: number }).printed > 0);
  t.equal(path(page), '/register/citizen/done', 'the page is printed where it is, no navigation');

  await catcher.waitFor(2);
  const mail = catcher.mails.find((m) => m.parsed.subject?.includes(reference));
  t.ok(mail, 'the mail arrived');
  t.match(mail?.parsed.text, /-------- English --------[\s\S]*Reference number: /, 'with an English part');
});
