// 單一登入 in Chromium, JavaScript off and on, with the real local signer and the demo PKI's soft cards:
// 新版自然人憑証登入 each way, a wrong PIN, a card locked by three wrong PINs, a renewed card re-bound after the
// password, 帳號密碼登入 and its lockout, and a kiosk's idle logout; axe-core on every page visited. The portal is
// served on localhost and the signer on 127.0.0.1: two sites, as in production, so the no-JS callback really arrives
// without the session cookie (DESIGN.md §3.5).
import t from 'tap';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { startSigningPortal } from './helpers/signing-portal';
import { startPortal, expectAxeClean, runAxe, type Assert, type Portal } from './helpers/browser';
import type { DemoCardSpec, DemoPki } from '../../demo-pki/demo-pki';
import { demoSoftCards } from '../../signer/index';
import { accountsRepository } from '../../server/db/accounts-repository';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { bindingFor } from '../../server/auth/bind-certificate';
import { hashPassword } from '../../server/auth/passwords';

// Each holder is used by one test; a renewed card has the same name and ID as the card it replaces.
const CARDS: readonly DemoCardSpec[] = [
  { id: 'wang', purpose: 'citizen', holderName: '王小明', idNumber: 'A123456789', pin: '123456', issuer: 'g3' },
  { id: 'lin', purpose: 'citizen', holderName: '林美華', idNumber: 'F223456786', pin: '24681357', issuer: 'g3' },
  { id: 'huang', purpose: 'citizen', holderName: '黃志豪', idNumber: 'H124680240', pin: '975310', issuer: 'g2' },
  {
    id: 'chen',
    purpose: 'customs-specialist',
    holderName: '陳志明',
    idNumber: 'B120863158',
    pin: '13572468',
    issuer: 'g2',
  },
  {
    id: 'chen-renewed',
    purpose: 'customs-specialist',
    holderName: '陳志明',
    idNumber: 'B120863158',
    pin: '13572468',
    issuer: 'g3',
  },
  { id: 'zhang', purpose: 'citizen', holderName: '張雅婷', idNumber: 'E223456785', pin: '864200', issuer: 'g3' },
  {
    id: 'zhang-renewed',
    purpose: 'citizen',
    holderName: '張雅婷',
    idNumber: 'E223456785',
    pin: '864200',
    issuer: 'g2',
  },
];
const PASSWORD = 'Harbour2Light';

// The card that gets locked is a copy in a folder of its own: its wrong-PIN count (a .pinstate.json beside the
// PKCS#12) stays there, and the demo PKI's own file is never touched.
let lockedCardFile = '';
function softCardsWithLockedCopy(demoPki: DemoPki, dataDir: string) {
  const lockedCardDir = join(dataDir, 'locked-card');
  mkdirSync(lockedCardDir);
  lockedCardFile = join(lockedCardDir, 'huang.p12');
  copyFileSync(demoPki.card('huang').p12Path, lockedCardFile);
  return demoSoftCards(demoPki.dir).map((card) =>
    card.cardSerial === demoPki.card('huang').cardSerial ? { ...card, p12File: lockedCardFile } : card,
  );
}

// No wait between password attempts here: the doubling wait is tested with a moved clock in
// test/auth/password-login.test.ts, and in a real browser it would only make the test sleep.
const setup = await startSigningPortal({
  name: 'login-e2e',
  cards: CARDS,
  env: { LOGIN_DELAY_SECONDS: '0' },
  signer: (demoPki, dataDir) => ({ p12: softCardsWithLockedCopy(demoPki, dataDir) }),
});
t.teardown(setup.close);
const { dataDir, pki, portal, signer } = setup;

/** "Inserts" a demo card in the reader: the one the signer uses when a page names none. */
function insertCard(cardId: string): void {
  signer.service.insertedCard = pki.card(cardId).cardSerial;
}

/** An active account with the password, bound to the card's signing certificate as the portal itself reads it. */
async function accountWithCard(on: Portal, cardId: string): Promise<number> {
  const card = pki.card(cardId);
  const account = (await accountsRepository(on.db.pool).insert({
    category: card.purpose === 'customs-specialist' ? 'customs_specialist' : 'individual',
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
  // The card number is not in the certificate: the signer reports it with the signature, and registration keeps it.
  await certificatesRepository(on.db.pool).bind(
    bindingFor(account.id, { ...check.identity, cardSerial: card.cardSerial }),
  );
  return account.id;
}

async function accountWithoutCard(on: Portal, idNumber: string, name: string): Promise<number> {
  const account = (await accountsRepository(on.db.pool).insert({
    category: 'individual',
    idNumber,
    name,
    birthDate: null,
    phone: null,
    address: null,
    email1: 'holder@example.com.tw',
    email2: null,
    passwordHash: await hashPassword(PASSWORD),
    status: 'active',
  }))!;
  return account.id;
}

const accounts = {
  wang: await accountWithCard(portal, 'wang'),
  lin: await accountWithCard(portal, 'lin'),
  huang: await accountWithCard(portal, 'huang'),
  chen: await accountWithCard(portal, 'chen'),
  zhang: await accountWithCard(portal, 'zhang'),
  li: await accountWithoutCard(portal, 'K121234560', '李大同'),
};

async function logins(accountId: number): Promise<Array<{ method: string; success: boolean }>> {
  const { rows } = await portal.db.pool.query(
    'SELECT method, success FROM login_attempts WHERE account_id = $1 ORDER BY id',
    [accountId],
  );
  return rows as Array<{ method: string; success: boolean }>;
}

const path = (page: Page) => new URL(page.url()).pathname;

/** Every request the page sends to one origin (by default the portal's), to show where the PIN goes (DESIGN.md §3.6). */
function requestsTo(page: Page, origin = portal.origin): Request[] {
  const seen: Request[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).origin === origin) seen.push(request);
  });
  return seen;
}

/** The portal requests that carry a `pin` field, or a field whose value is the PIN, in their query or form body. */
function pinSentTo(requests: Request[], pin: string): string[] {
  const carries = (fields: URLSearchParams) => fields.has('pin') || [...fields.values()].includes(pin);
  return requests
    .filter((r) => carries(new URL(r.url()).searchParams) || carries(new URLSearchParams(r.postData() ?? '')))
    .map((r) => r.url());
}

/** /login → 新版自然人憑証登入. */
async function openCertificateLogin(page: Page, t: Assert): Promise<void> {
  await page.goto(portal.url('/login'));
  await expectAxeClean(page, t);
  await page.click('a[href="/login/certificate"]');
  t.equal(path(page), '/login/certificate');
}

/** JavaScript on: PIN ① and 載入憑証 ②, answered over WebSocket on the same page. */
async function loadWithScript(page: Page, pin: string): Promise<void> {
  // The page script must have run (it is at the end of the body), or the click would post the form to the signer natively.
  await page.waitForLoadState('load');
  await page.fill('#pin', pin);
  await page.click('#load-certificate');
  await page.waitForSelector('#signed-message, #signing-error', { state: 'visible' });
}

t.test(
  'without JavaScript a holder logs in: /login, 新版自然人憑証登入, PIN ①, 載入憑証 ②, the signer’s 「憑證載入完成。」, 確定 ③, 送出 ④, 我的帳號',
  async (t) => {
    const wang = pki.card('wang');
    insertCard(wang.id);
    const page = await portal.newPage({ js: false });
    const requests = requestsTo(page);
    const toSigner = requestsTo(page, signer.url);
    await openCertificateLogin(page, t);
    await expectAxeClean(page, t);
    t.equal(
      await page.getAttribute('#signer-form', 'action'),
      `${signer.url}/nojs/sign`,
      'the PIN form goes to the signer',
    );
    t.notOk(await page.isVisible('#signed-form'), 'the script’s 送出 form stays hidden');

    await page.fill('#pin', wang.pin);
    await page.click('#load-certificate');
    t.equal(new URL(page.url()).origin, signer.url, 'the signer answers');
    t.equal((await page.textContent('h1'))?.trim(), '憑證載入完成。');
    t.match(await page.textContent('body'), '王小明');
    await expectAxeClean(page, t);

    await page.click('form button[type="submit"]');
    t.equal(
      path(page),
      '/login/certificate/confirm',
      '確定 ③ comes back through the callback to the portal’s confirm page',
    );
    t.match(await page.textContent('main'), '憑證載入完成。');
    t.match(await page.textContent('main'), '王小明');
    t.match(await page.textContent('main'), wang.cardSerial);
    await expectAxeClean(page, t);

    await page.click('form[action="/login/certificate/confirm"] button[type="submit"]');
    t.equal(path(page), '/account');
    t.equal((await page.textContent('h1'))?.trim(), '我的帳號');
    const main = await page.textContent('main');
    t.match(main, 'A12****789');
    t.match(main, '自然人憑證', 'logged in with the certificate');
    await expectAxeClean(page, t);
    t.same(pinSentTo(toSigner, wang.pin), [`${signer.url}/nojs/sign`], 'the PIN went to the signer');
    t.same(pinSentTo(requests, wang.pin), [], 'and never to the portal');
    t.same(
      (await logins(accounts.wang)).filter((l) => l.success),
      [{ method: 'certificate', success: true }],
    );
  },
);

t.test(
  'with JavaScript the script gets the signature over WebSocket, shows 「憑證載入完成。」, and 送出 ④ posts once to 我的帳號',
  async (t) => {
    const wang = pki.card('wang');
    insertCard(wang.id);
    const page = await portal.newPage({ js: true });
    const requests = requestsTo(page);
    await openCertificateLogin(page, t);
    await expectAxeClean(page, t);

    await loadWithScript(page, wang.pin);
    t.equal(path(page), '/login/certificate', 'the page was not left');
    t.equal((await page.textContent('#signed-message'))?.trim(), '憑證載入完成。');
    t.notOk(await page.isVisible('#signer-form'), 'the PIN form gives way to 送出');
    t.not(await page.inputValue('#signed-form input[name="signature"]'), '', 'the signature is in the form');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'signed-message', 'the message has the focus');
    await expectAxeClean(page, t);

    const before = requests.length;
    await page.click('#signed-form button[type="submit"]');
    await page.waitForURL(portal.url('/account'));
    t.equal((await page.textContent('h1'))?.trim(), '我的帳號');
    await expectAxeClean(page, t);
    const posts = requests.slice(before).filter((r) => r.method() === 'POST');
    t.same(
      posts.map((r) => new URL(r.url()).pathname),
      ['/login/certificate'],
      '送出 posted once',
    );
    t.same(pinSentTo(requests, wang.pin), [], 'the PIN never went to the portal');
    t.equal((await logins(accounts.wang)).filter((l) => l.success).length, 2);
  },
);

t.test(
  'a wrong PIN without JavaScript is told by the signer, with the tries left, and leads back to the portal’s page',
  async (t) => {
    const lin = pki.card('lin');
    insertCard(lin.id);
    const page = await portal.newPage({ js: false });
    await openCertificateLogin(page, t);
    await page.fill('#pin', '00000000');
    await page.click('#load-certificate');
    t.equal(new URL(page.url()).origin, signer.url);
    t.equal(await page.getAttribute('#reason', 'data-error'), 'wrong_pin');
    t.match(await page.textContent('#reason'), /PIN碼錯誤。[\s\S]*還可以再試 2 次/);
    await expectAxeClean(page, t);

    await page.click('.actions a');
    t.equal(path(page), '/login/certificate', 'back on the portal’s certificate page');
    await expectAxeClean(page, t);
    await page.fill('#pin', lin.pin);
    await page.click('#load-certificate');
    await page.click('form button[type="submit"]');
    await page.click('form[action="/login/certificate/confirm"] button[type="submit"]');
    t.equal(path(page), '/account', 'the right PIN then logs in');
    t.same(
      (await logins(accounts.lin)).map((l) => l.success),
      [true],
    );
  },
);

t.test('a wrong PIN with JavaScript is shown on the page with the tries left, and the right one logs in', async (t) => {
  const lin = pki.card('lin');
  insertCard(lin.id);
  const page = await portal.newPage({ js: true });
  await page.goto(portal.url('/login/certificate'));
  await loadWithScript(page, '11111111');
  t.match(await page.textContent('#signing-error'), /PIN碼錯誤。[\s\S]*還可以再試 2 次/);
  t.equal(await page.inputValue('#pin'), '', 'the PIN is not kept');
  t.equal(path(page), '/login/certificate');
  await expectAxeClean(page, t);

  await loadWithScript(page, lin.pin);
  t.notOk(await page.isVisible('#signing-error'), 'the error is gone');
  await page.click('#signed-form button[type="submit"]');
  await page.waitForURL(portal.url('/account'));
  await expectAxeClean(page, t);
});

t.test(
  'three wrong PINs lock the card: the signer says so, and then even the right PIN is refused, with JavaScript off and on',
  async (t) => {
    const huang = pki.card('huang');
    insertCard(huang.id);
    const page = await portal.newPage({ js: false });
    await openCertificateLogin(page, t);
    for (const [wrong, left] of [
      ['000000', 2],
      ['111111', 1],
    ] as const) {
      await page.fill('#pin', wrong);
      await page.click('#load-certificate');
      t.equal(await page.getAttribute('#reason', 'data-error'), 'wrong_pin');
      t.match(await page.textContent('#reason'), `還可以再試 ${left} 次`);
      await page.click('.actions a');
      t.equal(path(page), '/login/certificate');
    }
    await page.fill('#pin', '222222');
    await page.click('#load-certificate');
    t.equal(await page.getAttribute('#reason', 'data-error'), 'locked', 'the third wrong PIN locks the card');
    t.match(await page.textContent('#reason'), 'PIN碼已鎖定');
    await expectAxeClean(page, t);
    await page.click('.actions a');
    t.equal(path(page), '/login/certificate', 'the way back leads to the portal’s page');
    await expectAxeClean(page, t);

    await page.fill('#pin', huang.pin);
    await page.click('#load-certificate');
    t.equal(await page.getAttribute('#reason', 'data-error'), 'locked', 'the right PIN no longer opens the card');

    const scripted = await portal.newPage({ js: true });
    await scripted.goto(portal.url('/login/certificate'));
    await loadWithScript(scripted, huang.pin);
    t.match(await scripted.textContent('#signing-error'), 'PIN碼已鎖定');
    t.notOk(await scripted.isVisible('#signed-form'), 'nothing to 送出');
    await expectAxeClean(scripted, t);

    t.ok(existsSync(`${lockedCardFile}.pinstate.json`), 'the lock is kept beside the copy');
    t.notOk(existsSync(`${huang.p12Path}.pinstate.json`), 'the demo PKI’s own card file is untouched');
    t.same(await logins(accounts.huang), [], 'no login happened');
  },
);

for (const js of [false, true]) {
  const [oldId, newId] = js ? ['zhang', 'zhang-renewed'] : ['chen', 'chen-renewed'];
  t.test(
    `a renewed card with JavaScript ${js ? 'on' : 'off'} is re-bound after the password: /login/rebind, then 我的帳號 lists both certificates, the old one unbound`,
    async (t) => {
      const renewed = pki.card(newId);
      insertCard(renewed.id);
      const page = await portal.newPage({ js });
      await openCertificateLogin(page, t);
      if (js) {
        await loadWithScript(page, renewed.pin);
        await page.click('#signed-form button[type="submit"]');
        await page.waitForURL(portal.url('/login/rebind'));
      } else {
        await page.fill('#pin', renewed.pin);
        await page.click('#load-certificate');
        await page.click('form button[type="submit"]');
        await page.click('form[action="/login/certificate/confirm"] button[type="submit"]');
      }
      t.equal(path(page), '/login/rebind');
      const main = await page.textContent('main');
      t.match(main, renewed.holderName);
      t.match(main, renewed.cardSerial, 'the new card is shown');
      t.match(main, `${renewed.idNumber.slice(0, 3)}****${renewed.idNumber.slice(-3)}`, 'the account, its ID masked');
      await expectAxeClean(page, t);

      await page.fill('#password', 'Wrong1Password');
      await page.click('form[action="/login/rebind"] button[type="submit"]');
      await page.waitForLoadState('load');
      t.equal(path(page), '/login/rebind');
      t.match(await page.textContent('.error-summary'), '密碼錯誤');
      await expectAxeClean(page, t);

      await page.fill('#password', PASSWORD);
      await page.click('form[action="/login/rebind"] button[type="submit"]');
      await page.waitForURL(portal.url('/account?rebound=1'));
      t.equal((await page.textContent('h1'))?.trim(), '我的帳號');
      // The first table is 綁定的憑證 (holder, card number, validity, binding state).
      const certificates = await page.$$eval('main table', (tables) =>
        Array.from(tables[0]?.querySelectorAll('tbody tr') ?? [], (tr) =>
          Array.from((tr as HTMLTableRowElement).cells, (c) => c.textContent?.trim() ?? ''),
        ),
      );
      t.equal(certificates.length, 2, 'two certificates');
      t.same(certificates.map((cells) => cells[1]).sort(), [pki.card(oldId).cardSerial, renewed.cardSerial].sort());
      t.same(certificates.find((cells) => cells[1] === renewed.cardSerial)?.[3], '使用中', 'the renewed card is bound');
      t.match(
        certificates.find((cells) => cells[1] === pki.card(oldId).cardSerial)?.[3] ?? '',
        /^已解除/,
        'the old one is kept, unbound',
      );
      await expectAxeClean(page, t);
    },
  );
}

t.test('password login without JavaScript: /login, 帳號密碼登入, ID and password, 我的帳號, then 登出', async (t) => {
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/login'));
  await page.click('a[href="/login/password"]');
  t.equal(path(page), '/login/password');
  await expectAxeClean(page, t);
  await page.click('form[action="/login/password"] button[type="submit"]');
  t.match(await page.textContent('.error-summary'), '請輸入身分證號');
  await expectAxeClean(page, t);

  await page.fill('#idNumber', 'k121234560');
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/login/password"] button[type="submit"]');
  t.equal(path(page), '/account');
  const main = await page.textContent('main');
  t.match(main, '李大同');
  t.match(main, '帳號密碼', 'logged in by password');
  await expectAxeClean(page, t);

  await page.click('form[action="/logout"] button[type="submit"]');
  t.equal(path(page), '/logged-out');
  t.match(await page.textContent('main'), '您已安全登出');
  await expectAxeClean(page, t);
  await page.goto(portal.url('/account'));
  t.not(path(page), '/account', 'the session is gone');
});

t.test(
  'five wrong passwords without JavaScript lock the password login from this browser: the fifth answer is the lockout message, and the right password is refused too',
  async (t) => {
    await accountWithoutCard(portal, 'Q123456782', '周怡君');
    const page = await portal.newPage({ js: false });
    await page.goto(portal.url('/login/password'));
    for (let attempt = 1; attempt <= 5; attempt++) {
      await page.fill('#idNumber', 'Q123456782');
      await page.fill('#password', `Wrong${attempt}Password`);
      await page.click('form[action="/login/password"] button[type="submit"]');
      const summary = await page.textContent('.error-summary');
      if (attempt < 5) t.match(summary, '身分證號或密碼錯誤', `wrong password ${attempt}`);
      else t.match(summary, '帳號已暫時鎖定', 'the fifth locks the password login');
      t.equal(await page.inputValue('#password'), '', 'the password is not kept');
      t.equal(await page.inputValue('#idNumber'), 'Q123456782', 'the ID is');
    }
    await expectAxeClean(page, t);
    await page.fill('#password', PASSWORD);
    await page.click('form[action="/login/password"] button[type="submit"]');
    t.equal(path(page), '/login/password');
    t.match(await page.textContent('.error-summary'), '帳號已暫時鎖定');
    await expectAxeClean(page, t);
    const { rows } = await portal.db.pool.query(
      "SELECT locked_until > now() AS locked FROM login_failures WHERE id_number = $1 AND source <> '*'",
      ['Q123456782'],
    );
    t.same(rows, [{ locked: true }], 'locked for the address it came from');
  },
);

t.test(
  'a kiosk logs an idle user out without JavaScript: the meta refresh fires and says 「請取出您的自然人憑證」',
  async (t) => {
    const kiosk = await startPortal({
      env: { DATA_DIR: join(dataDir, 'kiosk'), KIOSK: 'true', KIOSK_IDLE_SECONDS: '15' },
    });
    t.teardown(kiosk.close);
    await accountWithoutCard(kiosk, 'K121234560', '李大同');
    const page = await kiosk.newPage({ js: false });
    await page.goto(kiosk.url('/login/password'));
    t.equal(await page.getAttribute('#idNumber', 'autocomplete'), 'off', 'no autocomplete on a kiosk');
    await expectAxeClean(page, t);
    await page.fill('#idNumber', 'K121234560');
    await page.fill('#password', PASSWORD);
    await page.click('form[action="/login/password"] button[type="submit"]');
    const loggedInAt = Date.now();
    t.equal(new URL(page.url()).pathname, '/account');
    t.equal(await page.getAttribute('meta[http-equiv="refresh"]', 'content'), '15;url=/logout/idle');
    const external = await page.$$eval('a[href]', (links) =>
      links.map((a) => (a as HTMLAnchorElement).href).filter((href) => new URL(href).origin !== location.origin),
    );
    t.same(external, [], 'no external links on a kiosk');
    // The timed refresh is the kiosk's idle logout that DESIGN.md §7 asks for; axe-core reports every refresh under
    // 20 hours (WCAG 2.2.1). It is the one violation accepted here, on the logged-in kiosk pages only.
    const violations = await runAxe(page);
    t.same(
      violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id),
      ['meta-refresh'],
      'axe: nothing serious or critical but the kiosk’s timed refresh',
    );

    // Nobody touches the screen: waiting is the behaviour under test.
    await page.waitForURL((url) => url.pathname === '/logged-out', { timeout: 25_000 });
    t.ok(Date.now() - loggedInAt >= 14_000, 'not before the idle time');
    const main = await page.textContent('main');
    t.match(main, '因閒置過久，系統已自動登出。');
    t.match(main, '請取出您的自然人憑證');
    t.equal(await page.$('meta[http-equiv="refresh"]'), null, 'no refresh once logged out');
    await expectAxeClean(page, t);
    await page.goto(kiosk.url('/account'));
    t.not(new URL(page.url()).pathname, '/account', 'the session is gone');
  },
);

t.test(
  'with JavaScript but no WebSocket the script signs through the HiPKI popup (/popupForm + postMessage)',
  async (t) => {
    const wang = pki.card('wang');
    insertCard(wang.id);
    const page = await portal.newPage({ js: true });
    // Take WebSocket away before the page's own script runs.
    await page.addInitScript(() => {
      (window as unknown as { WebSocket: unknown }).WebSocket = undefined;
    });
    const toSigner = requestsTo(page, new URL(signer.url).origin);
    const requests = requestsTo(page);
    const popups: string[] = [];
    page.on('popup', (popup) => {
      popups.push(new URL(popup.url()).pathname);
      popup.on('request', (r) => popups.push(`${r.method()} ${new URL(r.url()).pathname}`));
    });
    await openCertificateLogin(page, t);
    await loadWithScript(page, wang.pin);
    t.equal((await page.textContent('#signed-message'))?.trim(), '憑證載入完成。');
    t.ok(await page.isVisible('#signed-message'), 'the signature came back');
    // The readiness box is the signer's own page in a frame; the page's script itself asked the signer nothing.
    t.same(
      toSigner.filter((r) => r.frame() === page.mainFrame()).map((r) => r.url()),
      [],
      'the page itself sent nothing to the signer',
    );
    t.ok(popups.includes('POST /sign'), 'the signer’s popup signed');
    await page.click('#signed-form button[type="submit"]');
    await page.waitForURL(portal.url('/account'));
    t.equal((await page.textContent('h1'))?.trim(), '我的帳號');
    t.same(pinSentTo(requests, wang.pin), [], 'the PIN never went to the portal');
  },
);
