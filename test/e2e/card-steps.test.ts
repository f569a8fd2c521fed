// The certificate pages around the card, in Chromium with the real local signer and the demo PKI's soft cards:
// the readiness box before the PIN (JavaScript off: the signer's own page in an <object>; the fallback when no signer
// answers), the card checked right after 載入 (JavaScript on), refusals that are not the user's fault as outcomes with
// next steps, and 忘記密碼 / 解除密碼登入鎖定 proven with the bound card, each way; desktop and phone; axe-core on
// every page. The portal is on localhost and the signer on 127.0.0.1: two sites, as in production.
import t from 'tap';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { startSigningPortal } from './helpers/signing-portal';
import { startPortal, expectAxeClean, freePort, type Assert, type Portal } from './helpers/browser';
import type { DemoCardSpec } from '../../demo-pki/demo-pki';
import { demoSoftCards } from '../../signer/index';
import { accountsRepository } from '../../server/db/accounts-repository';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { bindingFor } from '../../server/auth/bind-certificate';
import { hashPassword } from '../../server/auth/passwords';

const CARDS: readonly DemoCardSpec[] = [
  { id: 'wang', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g3' },
  { id: 'lin', purpose: 'citizen', holderName: '林美華', idNumber: 'F223456786', pin: '24681357', issuer: 'g3' },
  { id: 'huang', purpose: 'citizen', holderName: '黃志豪', idNumber: 'H124680240', pin: '975310', issuer: 'g2' },
  { id: 'zhou', purpose: 'citizen', holderName: '周怡君', idNumber: 'Q123456782', pin: '864200', issuer: 'g3' },
  {
    id: 'zhang',
    purpose: 'revocation-test',
    holderName: '張雅婷',
    idNumber: 'E223456785',
    pin: '864200',
    issuer: 'g3',
    revoked: true,
  },
];
const PASSWORD = 'Harbour2Light';
const NEW_PASSWORD = 'Lantern7Quay';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const SMALL_PHONE = { width: 320, height: 640 };

const setup = await startSigningPortal({
  name: 'card-steps-e2e',
  cards: CARDS,
  env: { LOGIN_DELAY_SECONDS: '0' },
  signer: (demoPki) => ({ p12: demoSoftCards(demoPki.dir) }),
});
t.teardown(setup.close);
const { dataDir, pki, portal, signer } = setup;

function insertCard(cardId: string): void {
  signer.service.insertedCard = pki.card(cardId).cardSerial;
}

async function accountWithCard(on: Portal, cardId: string): Promise<number> {
  const card = pki.card(cardId);
  const account = (await accountsRepository(on.db.pool).insert({
    category: 'individual',
    idNumber: card.idNumber,
    name: card.holderName,
    birthDate: '1980-05-17',
    phone: '0912-345-678',
    address: '臺北市中正區忠孝西路一段 1 號',
    email1: 'holder@example.com.tw',
    email2: null,
    passwordHash: await hashPassword(PASSWORD),
    status: 'active',
  }))!;
  const check = await on.app.cardVerifier.verifyCertificate(card.signingCertDer.toString('base64'), new Date());
  if (!check.ok) throw new Error(`demo card ${cardId} does not verify: ${check.reason}`);
  await certificatesRepository(on.db.pool).bind(bindingFor(account.id, check.identity));
  return account.id;
}

// 張雅婷's card is revoked: the portal refuses it before it looks for an account.
for (const id of ['wang', 'lin', 'huang', 'zhou']) await accountWithCard(portal, id);

const path = (page: Page) => new URL(page.url()).pathname;

/** The readiness box's frame, once the signer's page is in it. */
async function readinessFrame(page: Page): Promise<Frame> {
  await page.waitForLoadState('load');
  const frame = page.frames().find((f) => f.url().startsWith(`${signer.url}/readiness`));
  if (!frame) throw new Error('the readiness box has no frame from the signer');
  await frame.waitForSelector('#status');
  return frame;
}

/** Nothing wider than the screen: no sideways scrolling on a phone. */
async function expectNoSidewaysScroll(page: Page, t: Assert): Promise<void> {
  const widths = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  t.ok(widths[0] <= widths[1], `no sideways scrolling on ${page.url()} (${widths[0]} ≤ ${widths[1]})`);
}

async function loadWithScript(page: Page, pin: string): Promise<void> {
  await page.waitForLoadState('load');
  await page.fill('#pin', pin);
  await page.click('#load-certificate');
  await page.waitForSelector('#signed-message, #signing-error, #card-outcome', { state: 'visible' });
}

async function passwordLogin(page: Page, idNumber: string, password: string): Promise<void> {
  await page.goto(portal.url('/login/password'));
  await page.fill('#idNumber', idNumber);
  await page.fill('#password', password);
  await page.click('form[action="/login/password"] button[type="submit"]');
  await page.waitForLoadState('load');
}

const SIZES = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
  ['small phone', SMALL_PHONE],
] as const;

for (const [size, viewport] of SIZES) {
  for (const lang of ['zh-TW', 'en'] as const) {
    t.test(
      `without JavaScript (${size}, ${lang}) the box before the PIN says the component runs, whose card is in the reader, and how to change it`,
      async (t) => {
        insertCard('wang');
        const page = await portal.newPage({ js: false, viewport, lang });
        await page.goto(portal.url('/login/certificate'));
        const frame = await readinessFrame(page);
        t.equal(await frame.getAttribute('html', 'lang'), lang, 'in the page’s language');
        t.equal(await frame.getAttribute('#status', 'data-state'), 'ready');
        t.match(await frame.textContent('#status'), lang === 'en' ? 'Certificate signer running' : '憑證元件已啟動');
        t.equal(await frame.textContent('#holder'), '王小明');
        t.equal(await frame.textContent('#card-serial'), pki.card('wang').cardSerial);
        t.match(await frame.textContent('main'), lang === 'en' ? 'To change card' : '要更換卡片');
        t.notOk(await page.isVisible('#readiness-missing'), 'the fallback stays hidden');
        const box = (await page.locator('#readiness-frame').boundingBox())!;
        const pin = (await page.locator('#pin').boundingBox())!;
        t.ok(box.y + box.height <= pin.y, 'the box comes before the PIN');
        const fits = await frame.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1);
        t.ok(fits, 'the frame shows all of the signer’s page without scrolling');
        await expectNoSidewaysScroll(page, t);
        await expectAxeClean(page, t);

        // Another card in the reader (the demo's: chosen on the signer's page), then 重新檢查 in the box.
        insertCard('lin');
        await frame.click('#recheck');
        await frame.waitForSelector('#holder');
        t.equal(await frame.textContent('#holder'), '林美華', '重新檢查 shows the card now in the reader');
        t.equal(path(page), '/login/certificate', 'the page itself stayed');
      },
    );
  }
}

t.test('the signer’s readiness page itself is accessible, in both languages', async (t) => {
  const page = await portal.newPage({ js: false });
  for (const lang of ['zh-TW', 'en']) {
    await page.goto(`${signer.url}/readiness?lang=${lang}`);
    t.equal(await page.getAttribute('html', 'lang'), lang);
    await expectAxeClean(page, t);
  }
});

t.test(
  'without a running component the box says so before the PIN, JavaScript off and on, desktop and phone',
  async (t) => {
    const idlePort = await freePort('127.0.0.1');
    const alone = await startPortal({
      env: { DATA_DIR: join(dataDir, 'alone'), SIGNER_URL: `http://127.0.0.1:${idlePort}` },
    });
    t.teardown(alone.close);
    const runs = [
      ...[DESKTOP, PHONE, SMALL_PHONE].map((viewport) => ({ js: false, viewport, lang: 'zh-TW' as const })),
      ...[DESKTOP, PHONE, SMALL_PHONE].map((viewport) => ({ js: false, viewport, lang: 'en' as const })),
      ...[DESKTOP, PHONE].map((viewport) => ({ js: true, viewport, lang: 'zh-TW' as const })),
    ];
    for (const { js, viewport, lang } of runs) {
      {
        const page = await alone.newPage({ js, viewport, lang });
        for (const url of ['/login/certificate', '/login/forgot-password']) {
          await page.goto(alone.url(url));
          await page.waitForLoadState('load');
          t.ok(
            await page.isVisible('#readiness-missing'),
            `${url}, JavaScript ${js ? 'on' : 'off'}, ${viewport.width} px, ${lang}`,
          );
          const text = await page.textContent('#readiness-missing');
          t.match(text, lang === 'en' ? 'The certificate component was not found.' : '未偵測到憑證元件。');
          t.match(text, lang === 'en' ? 'the browser will say it cannot connect' : '瀏覽器將顯示無法連線');
          t.ok(await page.isVisible('#readiness-missing a[href="/downloads"]'), 'the way to 軟體下載');
          const box = (await page.locator('#readiness-missing').boundingBox())!;
          const pin = (await page.locator('#pin').boundingBox())!;
          t.ok(box.y + box.height <= pin.y, 'told before the PIN');
          await expectNoSidewaysScroll(page, t);
          await expectAxeClean(page, t);
        }
        await page.context().close();
      }
    }
  },
);

t.test(
  'with JavaScript the card is checked right after 載入: holder and card number beside 「憑證載入完成。」, then 送出 ④ logs in',
  async (t) => {
    insertCard('wang');
    const page = await portal.newPage({ js: true });
    await page.goto(portal.url('/login/certificate'));
    await loadWithScript(page, pki.card('wang').pin);
    t.equal((await page.textContent('#signed-message'))?.trim(), '憑證載入完成。');
    const check = await page.textContent('#card-check');
    t.match(check, '持卡人 王小明 的自然人憑證可以使用。');
    t.match(check, pki.card('wang').cardSerial);
    t.match(check, /有效期限至\d{4}-\d{2}-\d{2}/);
    t.notOk(await page.isVisible('#readiness'), 'the readiness box folds away: the check names the card now');
    await expectAxeClean(page, t);
    await page.click('#signed-form button[type="submit"]');
    await page.waitForURL(portal.url('/account'));
    t.equal((await page.textContent('h1'))?.trim(), '我的帳號');
  },
);

for (const [size, viewport] of [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const) {
  t.test(
    `a revoked card with JavaScript (${size}): the outcome and its next steps right after 載入, no 送出; another card then works`,
    async (t) => {
      insertCard('zhang');
      const page = await portal.newPage({ js: true, viewport });
      await page.goto(portal.url('/login/certificate'));
      await loadWithScript(page, pki.card('zhang').pin);
      t.ok(await page.isVisible('#card-outcome'));
      t.equal((await page.textContent('#card-outcome h2'))?.trim(), '這張自然人憑證已被廢止或停用');
      t.ok(await page.isVisible('#card-outcome [data-step="renew_card"] a[href="/login/certificate"]'), '換發新卡');
      t.ok(
        await page.isVisible('#card-outcome [data-step="password_login"] a[href="/login/password"]'),
        '帳號密碼登入',
      );
      t.match(await page.textContent('#card-outcome [data-step="support"]'), '(02)2345-6789');
      t.notOk(await page.isVisible('#signed-form'), 'no 送出');
      t.notOk(await page.isVisible('.field--error'), 'no field in red');
      await expectNoSidewaysScroll(page, t);
      await expectAxeClean(page, t);

      await page.click('#other-card');
      t.notOk(await page.isVisible('#card-outcome'));
      t.ok(await page.isVisible('#readiness'), 'the readiness box is back for the next card');
      t.ok(await page.isVisible('#pin'));
      insertCard('wang');
      await loadWithScript(page, pki.card('wang').pin);
      t.match(await page.textContent('#card-check'), '王小明');
      await page.click('#signed-form button[type="submit"]');
      await page.waitForURL(portal.url('/account'));
    },
  );

  t.test(
    `a revoked card without JavaScript (${size}): an outcome page after the signer’s 確定, with 換發新卡 and 帳號密碼登入`,
    async (t) => {
      insertCard('zhang');
      const page = await portal.newPage({ js: false, viewport });
      await page.goto(portal.url('/login/certificate'));
      await page.fill('#pin', pki.card('zhang').pin);
      await page.click('#load-certificate');
      await page.click('form button[type="submit"]');
      t.equal((await page.textContent('h1'))?.trim(), '這張自然人憑證已被廢止或停用');
      t.equal(await page.$('#pin'), null, 'no PIN field');
      t.ok(await page.isVisible('[data-step="renew_card"] a[href="/login/certificate"]'));
      t.ok(await page.isVisible('[data-step="password_login"] a[href="/login/password"]'));
      t.ok(await page.isVisible('[data-step="support"] a[href^="tel:"]'), '客服, a phone link');
      await expectNoSidewaysScroll(page, t);
      await expectAxeClean(page, t);
      await page.click('[data-step="password_login"] a');
      t.equal(path(page), '/login/password');
    },
  );
}

t.test(
  'registration with JavaScript: a card whose ID number has an account says 直接登入 right after 載入',
  async (t) => {
    insertCard('wang');
    const wang = pki.card('wang');
    const page = await portal.newPage({ js: true });
    await page.goto(portal.url('/register/citizen'));
    await page.check('#category');
    await page.fill('#name', wang.holderName);
    await page.fill('#idNumber', wang.idNumber);
    await page.fill('#pin', wang.pin);
    await page.click('#load-certificate');
    await page.waitForSelector('#card-outcome', { state: 'visible' });
    t.equal((await page.textContent('#card-outcome h2'))?.trim(), '此身分證號已有帳號');
    t.ok(
      await page.isVisible('#card-outcome [data-step="certificate_login"] a[href="/login/certificate"]'),
      '直接登入',
    );
    t.ok(await page.isVisible('#card-outcome [data-step="forgot_password"] a[href="/login/forgot-password"]'));
    await expectAxeClean(page, t);
    await page.click('#card-outcome [data-step="certificate_login"] a');
    t.equal(path(page), '/login/certificate');
  },
);

t.test(
  '忘記密碼 without JavaScript: from 帳號密碼登入, the card through the signer, every broken rule at once, the new password logs in',
  async (t) => {
    insertCard('lin');
    const lin = pki.card('lin');
    const page = await portal.newPage({ js: false, viewport: PHONE });
    await page.goto(portal.url('/login/password'));
    await expectAxeClean(page, t);
    await page.click('#recovery-links a[href="/login/forgot-password"]');
    t.equal(path(page), '/login/forgot-password');
    t.equal((await page.textContent('h1'))?.trim(), '忘記密碼');
    t.equal(await (await readinessFrame(page)).textContent('#holder'), '林美華', 'the box names the card');
    await expectNoSidewaysScroll(page, t);
    await expectAxeClean(page, t);

    await page.fill('#pin', lin.pin);
    await page.click('#load-certificate');
    t.equal(new URL(page.url()).origin, signer.url, 'the PIN went to the signer');
    await page.click('form button[type="submit"]');
    t.equal(path(page), '/login/forgot-password/new', '確定 ③ comes back to the new password page');
    t.match(await page.textContent('main'), '林美華');
    t.match(await page.textContent('main'), 'F22****786');
    await expectAxeClean(page, t);

    await page.fill('#password', 'harbour');
    await page.fill('#passwordConfirm', 'harbour');
    await page.click('form[action="/login/forgot-password/new"] button[type="submit"]');
    const summary = await page.textContent('.error-summary');
    for (const rule of ['長度至少 8 碼', '至少 1 個數字', '至少 1 個大寫英文字母']) t.match(summary, rule);
    t.equal(await page.inputValue('#password'), '', 'the password is not kept');
    await expectNoSidewaysScroll(page, t);
    await expectAxeClean(page, t);

    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#passwordConfirm', NEW_PASSWORD);
    await page.click('form[action="/login/forgot-password/new"] button[type="submit"]');
    t.equal(path(page), '/login/forgot-password/done');
    t.match(await page.textContent('main'), '密碼已重設');
    await expectAxeClean(page, t);
    await page.click('main a[href="/login/password"]');
    await passwordLogin(page, lin.idNumber, NEW_PASSWORD);
    t.equal(path(page), '/account', 'the new password logs in');
  },
);

t.test('忘記密碼 with JavaScript: the card checked after 載入, 送出 ④, the new password', async (t) => {
  insertCard('huang');
  const huang = pki.card('huang');
  const page = await portal.newPage({ js: true });
  await page.goto(portal.url('/login/forgot-password'));
  await loadWithScript(page, huang.pin);
  t.match(await page.textContent('#card-check'), '黃志豪');
  await expectAxeClean(page, t);
  await page.click('#signed-form button[type="submit"]');
  await page.waitForURL(portal.url('/login/forgot-password/new'));
  await page.fill('#password', NEW_PASSWORD);
  await page.fill('#passwordConfirm', NEW_PASSWORD);
  await page.click('form[action="/login/forgot-password/new"] button[type="submit"]');
  await page.waitForURL(portal.url('/login/forgot-password/done'));
  await passwordLogin(page, huang.idNumber, NEW_PASSWORD);
  t.equal(path(page), '/account');
});

t.test(
  '解除鎖定 without JavaScript: five wrong passwords lock it, the lock message leads to the card, and the password works again',
  async (t) => {
    insertCard('zhou');
    const zhou = pki.card('zhou');
    const page = await portal.newPage({ js: false });
    for (let i = 1; i <= 5; i++) await passwordLogin(page, zhou.idNumber, `Wrong${i}Password`);
    t.match(await page.textContent('.error-summary'), '帳號已暫時鎖定');
    t.ok(await page.isVisible('#locked-notice a[href="/login/unlock"]'), 'the way out, beside the lock');
    await expectAxeClean(page, t);

    await page.click('#locked-notice a[href="/login/unlock"]');
    t.equal((await page.textContent('h1'))?.trim(), '解除密碼登入鎖定');
    await expectAxeClean(page, t);
    await page.fill('#pin', zhou.pin);
    await page.click('#load-certificate');
    await page.click('form button[type="submit"]');
    t.equal(path(page), '/login/unlock/confirm');
    t.match(await page.textContent('main'), '周怡君');
    await expectAxeClean(page, t);
    await page.click('form[action="/login/unlock/confirm"] button[type="submit"]');
    t.equal(path(page), '/login/unlock/done');
    t.match(await page.textContent('main'), '已解除鎖定');
    await expectAxeClean(page, t);
    await passwordLogin(page, zhou.idNumber, PASSWORD);
    t.equal(path(page), '/account', 'the password logs in again from the same browser');
  },
);
