// 新版自然人憑證註冊 in Chromium, JavaScript off and on, with the real local signer and the demo PKI's soft cards:
// a full registration each way, a wrong PIN, the card's encryption certificate, a revoked card, 重填; axe-core on
// every step. The portal is served on localhost and the signer on 127.0.0.1: two sites, as in production, so the
// no-JS callback really arrives without the session cookie (DESIGN.md §3.5).
import t from 'tap';
import type { Page } from 'playwright-core';
import { startSigningPortal } from './helpers/signing-portal';
import { expectAxeClean } from './helpers/browser';
import { signWithCard } from '../helpers/demo-cards';

const setup = await startSigningPortal({ name: 'register-e2e' });
t.teardown(setup.close);
const { pki, portal, signer } = setup;

/** "Inserts" a demo card in the reader: the one the signer uses when a page names none. */
function insertCard(cardId: string): void {
  signer.service.insertedCard = pki.card(cardId).cardSerial;
}

async function fillDetails(page: Page, card: { holderName: string; idNumber: string }, category = 'individual') {
  await page.check(category === 'individual' ? '#category' : `#category-${category}`);
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

async function account(idNumber: string) {
  const { rows } = await portal.db.pool.query('SELECT status, category FROM accounts WHERE id_number = $1', [idNumber]);
  return rows[0] as { status: string; category: string } | undefined;
}

const path = (page: Page) => new URL(page.url()).pathname;

t.test(
  'without JavaScript a 個人 registers: chooser, details, certificate page, the signer, confirm, 註冊完成',
  async (t) => {
    const wang = pki.card('wang-xiaoming');
    insertCard(wang.id);
    const page = await portal.newPage({ js: false });
    await page.goto(portal.url('/register'));
    await expectAxeClean(page, t);
    await page.check('#category');
    await page.click('form[action="/register"] button[type="submit"]');
    t.equal(page.url(), portal.url('/register/citizen?category=individual'));
    t.notOk(await page.isVisible('#pin'), 'without JavaScript the details page asks for no PIN');
    await expectAxeClean(page, t);

    // 檢核是否存在 without JavaScript: the same page again, with the answer.
    await page.fill('#idNumber', wang.idNumber);
    await page.click('#check-id');
    t.equal(await page.textContent('#idNumber-check'), '此身分證號可註冊。');
    t.equal(await page.inputValue('#idNumber'), wang.idNumber);

    await fillDetails(page, wang);
    await page.click('#nojs-buttons button[value="next"]');
    t.equal(path(page), '/register/citizen/certificate');
    await expectAxeClean(page, t);
    t.equal(
      await page.getAttribute('#signer-form', 'action'),
      `${signer.url}/nojs/sign`,
      'the PIN form goes to the signer',
    );

    await page.fill('#pin', wang.pin);
    await page.click('#load-certificate');
    t.equal(new URL(page.url()).origin, signer.url, 'the signer answers');
    t.equal((await page.textContent('h1'))?.trim(), '憑證載入完成。');
    await expectAxeClean(page, t);

    await page.click('form button[type="submit"]');
    t.equal(path(page), '/register/citizen/confirm', '確定 comes back through the callback to the confirm page');
    t.match(await page.textContent('main'), wang.cardSerial);
    t.match(await page.textContent('main'), '王小明');
    t.match(await page.textContent('#binding-not-proven'), '其餘號碼與出生日期由您自行填寫，未經憑證證明');
    await expectAxeClean(page, t);

    await page.click('#confirm-submit');
    t.equal(path(page), '/register/citizen/done');
    const main = await page.textContent('main');
    t.match(main, '註冊完成');
    t.match(main, 'A12****789');
    t.match(main, '已啟用');
    t.match(await page.textContent('#binding-not-proven'), '未經憑證證明');
    await expectAxeClean(page, t);
    t.same(await account(wang.idNumber), { status: 'active', category: 'individual' });
  },
);

t.test('with JavaScript a 報關專責人員 registers on one page: 檢核是否存在 inline, 載入自然人憑證, 送出', async (t) => {
  const chen = pki.card('chen-zhiming');
  insertCard(chen.id);
  const page = await portal.newPage({ js: true });
  await page.goto(portal.url('/register/citizen?category=customs_specialist'));
  t.ok(await page.isVisible('#pin'), 'the certificate part is on the page');
  t.notOk(await page.isVisible('#nojs-buttons'), 'the step-by-step buttons give way to the one-page ones');
  await expectAxeClean(page, t);

  await fillDetails(page, chen, 'customs_specialist');
  await page.click('#check-id');
  await page.waitForFunction(() => document.getElementById('idNumber-check')?.textContent === '此身分證號可註冊。');
  t.equal(path(page), '/register/citizen', 'the check did not leave the page');
  t.equal(await page.inputValue('#password'), 'Harbour2Light', 'nor lose what was typed');

  await page.fill('#pin', chen.pin);
  await page.click('#load-certificate');
  await page.waitForSelector('#signed-message', { state: 'visible' });
  t.equal((await page.textContent('#signed-message'))?.trim(), '憑證載入完成。');
  t.equal(await page.inputValue('#pin').catch(() => ''), '', 'the PIN is not kept on the page');
  await expectAxeClean(page, t);

  await page.click('#register-submit');
  await page.waitForURL(portal.url('/register/citizen/done'));
  t.match(await page.textContent('main'), '審核中');
  t.match(await page.textContent('#binding-not-proven'), '未經憑證證明');
  await expectAxeClean(page, t);
  t.same(await account(chen.idNumber), { status: 'pending_review', category: 'customs_specialist' });
});

t.test('a wrong PIN without JavaScript is told by the signer, with the tries left, and leads back', async (t) => {
  const lin = pki.card('lin-meihua');
  insertCard(lin.id);
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/register/citizen?category=individual'));
  await fillDetails(page, lin);
  await page.click('#nojs-buttons button[value="next"]');
  await page.fill('#pin', '00000000');
  await page.click('#load-certificate');
  t.equal(await page.getAttribute('#reason', 'data-error'), 'wrong_pin');
  t.match(await page.textContent('#reason'), /PIN碼錯誤。[\s\S]*還可以再試 2 次/);
  await expectAxeClean(page, t);
  await page.click('.actions a');
  t.equal(path(page), '/register/citizen/certificate', 'back on the certificate page');
  t.equal(await account(lin.idNumber), undefined);
});

t.test('a wrong PIN with JavaScript is shown on the page, then the right one registers', async (t) => {
  const lin = pki.card('lin-meihua');
  insertCard(lin.id);
  const page = await portal.newPage({ js: true, lang: 'en' });
  await page.goto(portal.url('/register/citizen'));
  await fillDetails(page, lin);
  await page.fill('#pin', '11111111');
  await page.click('#load-certificate');
  await page.waitForSelector('#signing-error');
  // The message is the signer's own, in the signer's language (the script does not pass the page's).
  t.match(await page.textContent('#signing-error'), /Wrong PIN|PIN碼錯誤/);
  await expectAxeClean(page, t);
  await page.fill('#pin', lin.pin);
  await page.click('#load-certificate');
  await page.waitForSelector('#signed-message', { state: 'visible' });
  await page.click('#register-submit');
  await page.waitForURL(portal.url('/register/citizen/done'));
  t.match(await page.textContent('main'), 'Registration complete');
  t.same(await account(lin.idNumber), { status: 'active', category: 'individual' });
});

t.test(
  'the card’s encryption certificate is refused: a component that signs with it gets a clear message',
  async (t) => {
    // The signer signs only with the signing key; a component that returns the encryption certificate (and a signature
    // by its key) is stood in for by rewriting the signer's 確定 post on its way to the portal.
    const huang = pki.card('huang-zhihao');
    insertCard(huang.id);
    const page = await portal.newPage({ js: false });
    await page.goto(portal.url('/register/citizen?category=individual'));
    await fillDetails(page, huang);
    await page.click('#nojs-buttons button[value="next"]');
    const tbs = (await page.inputValue('input[name="tbs"]')).replace(/\r\n?/g, '\n');
    const nonce = await page.inputValue('#signer-form input[name="nonce"]');
    await page.route(portal.url('/signing/callback'), (route) => {
      const form = new URLSearchParams(route.request().postData() ?? '');
      const wrong = signWithCard(pki, huang.id, tbs, nonce, 'encryption');
      form.set('certificate', wrong.certificate);
      form.set('signature', wrong.signature);
      form.set('signatureType', 'PKCS1');
      return route.continue({ postData: form.toString() });
    });
    await page.fill('#pin', huang.pin);
    await page.click('#load-certificate');
    await page.click('form button[type="submit"]');
    t.equal(path(page), '/register/citizen/certificate');
    t.match(await page.textContent('.error-summary'), /加密用憑證/);
    await expectAxeClean(page, t);
    t.equal(await account(huang.idNumber), undefined);
  },
);

t.test(
  'a revoked card with JavaScript is told right after 載入, with the next steps, the details kept, nothing registered',
  async (t) => {
    const zhang = pki.card('zhang-yating');
    insertCard(zhang.id);
    const page = await portal.newPage({ js: true });
    await page.goto(portal.url('/register/citizen'));
    await fillDetails(page, zhang);
    await page.fill('#pin', zhang.pin);
    await page.click('#load-certificate');
    await page.waitForSelector('#card-outcome', { state: 'visible' });
    t.equal(path(page), '/register/citizen', 'before any 送出');
    t.equal((await page.textContent('#card-outcome h2'))?.trim(), '這張自然人憑證已被廢止或停用');
    t.ok(await page.isVisible('#card-outcome [data-step="renew_card"] a[href="/login/certificate"]'), '換發新卡');
    t.notOk(await page.isVisible('#signed-message'), 'no 「憑證載入完成。」');
    t.equal(await page.inputValue('#register-form input[name="signature"]'), '', 'no signature waits for 送出');
    t.equal(await page.inputValue('#idNumber'), zhang.idNumber, 'the details are kept');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'card-outcome', 'the outcome has the focus');
    await expectAxeClean(page, t);
    await page.click('#other-card');
    t.ok(await page.isVisible('#pin'), '改用另一張卡片 brings the PIN back');
    t.equal(await account(zhang.idNumber), undefined);
  },
);

t.test('a revoked card without JavaScript gets the outcome page right after the signer’s 確定', async (t) => {
  const zhang = pki.card('zhang-yating');
  insertCard(zhang.id);
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/register/citizen'));
  await fillDetails(page, zhang);
  await page.click('#nojs-buttons button[value="next"]');
  await page.fill('#pin', zhang.pin);
  await page.click('#load-certificate');
  await page.click('form button[type="submit"]');
  t.equal((await page.textContent('h1'))?.trim(), '這張自然人憑證已被廢止或停用');
  t.match(await page.textContent('main'), '重新輸入 PIN碼 也不會改變結果');
  t.equal(await page.$('#pin'), null, 'no PIN field');
  t.ok(await page.isVisible('[data-step="renew_card"] a[href="/login/certificate"]'));
  await expectAxeClean(page, t);
  t.equal(await account(zhang.idNumber), undefined);
});

t.test('重填 with JavaScript empties the form and forgets a loaded card', async (t) => {
  const huang = pki.card('huang-zhihao');
  insertCard(huang.id);
  const page = await portal.newPage({ js: true });
  await page.goto(portal.url('/register/citizen'));
  await fillDetails(page, huang);
  await page.fill('#pin', huang.pin);
  await page.click('#load-certificate');
  await page.waitForSelector('#signed-message', { state: 'visible' });
  t.not(await page.inputValue('#register-form input[name="signature"]'), '');
  await page.click('#register-reset');
  t.equal(await page.inputValue('#name'), '');
  t.equal(await page.inputValue('#idNumber'), '');
  t.equal(await page.inputValue('#register-form input[name="signature"]'), '');
  t.ok(await page.isVisible('#pin'), 'the PIN form is back');
  t.notOk(await page.isVisible('#signed-message'));
  await expectAxeClean(page, t);
});

t.test('重填 without JavaScript empties the form, also after a refused submit', async (t) => {
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/register/citizen'));
  await page.fill('#name', '王小明');
  await page.click('#nojs-buttons button[value="next"]');
  t.equal(await page.inputValue('#name'), '王小明', 'kept after the refused submit');
  await expectAxeClean(page, t);
  await page.click('#nojs-buttons a[href="/register/citizen"]');
  t.equal(await page.inputValue('#name'), '');
});

t.test('Enter in a field of the details form submits it (送出), not 檢核是否存在', async (t) => {
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/register/citizen'));
  await page.fill('#name', '王小明');
  await page.press('#name', 'Enter');
  await page.waitForLoadState('load');
  t.match(await page.textContent('.error-summary'), /請輸入身分證號或統一編號/, 'the form was submitted and checked');
  t.equal(await page.textContent('#idNumber-check'), '', 'no existence check was made');
});

for (const js of [false, true]) {
  for (const lang of ['zh-TW', 'en'] as const) {
    t.test(
      `the chooser, its errors and the business pages are accessible with JavaScript ${js ? 'on' : 'off'} in ${lang}`,
      async (t) => {
        const page = await portal.newPage({ js, lang });
        await page.goto(portal.url('/register'));
        await page.click('form[action="/register"] button[type="submit"]');
        t.ok(await page.isVisible('.error-summary'), 'no category chosen: an error');
        await expectAxeClean(page, t);
        for (const category of ['enterprise', 'customs_broker', 'government']) {
          await page.goto(portal.url('/register'));
          await page.check(`#category-${category}`);
          await page.click('form[action="/register"] button[type="submit"]');
          t.equal(path(page), '/register/business');
          await expectAxeClean(page, t);
        }
        await page.goto(portal.url('/register/citizen'));
        await page.click(js ? '#register-submit' : '#nojs-buttons button[value="next"]');
        await page.waitForLoadState('load');
        t.ok(await page.isVisible('.error-summary'), 'an empty citizen form: errors');
        await expectAxeClean(page, t);
      },
    );
  }
}
