// Screenshots of the portal's pages at desktop and phone size, JavaScript off (the default path), for docs/screenshots/.
// Runs the real portal on a throw-away test schema (DATABASE_URL must point at a PostgreSQL test database), in Chromium,
// with the local signer and the demo PKI's soft cards, as the browser tests do. Pages that need state get it through
// the real flows: a registration signed with a demo card, a refused card, a password login, an operator's login.
//   DATABASE_URL=postgres://… npm run screenshots [-- out-dir [name-or-path …]]
// Each page is reached once at desktop width, shot, then shot again at phone width (a one-time page such as 註冊完成
// cannot be reached twice).
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { startSigningPortal } from '../test/e2e/helpers/signing-portal';
import { createAccount } from '../test/admin/fixtures';
import { hashPassword } from '../server/auth/passwords';
import { accountsRepository } from '../server/db/accounts-repository';

const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;
const APPLICANT_PASSWORD = 'Harbour2Light';
const OPERATOR = { idNumber: 'A100000001', name: '陳承辦', password: 'Operator2026x' };

const outDir = process.argv[2] ?? 'docs/screenshots';
const only = process.argv.slice(3);
mkdirSync(outDir, { recursive: true });

const setup = await startSigningPortal({ name: 'sw-portal-screenshots', env: { LOGIN_DELAY_SECONDS: '0' } });
const { pki, portal, signer } = setup;

const path = (page: Page) => new URL(page.url()).pathname;

/** Clicks and waits for the page it leads to (a path on the portal, or any page when none is given). */
async function clickTo(page: Page, selector: string, expected?: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
  if (expected && path(page) !== expected) throw new Error(`${selector} led to ${page.url()}, not ${expected}`);
}

/** The readiness box before the PIN: the signer's own page in an <object>, loaded. */
async function readinessLoaded(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  const frame = page.frames().find((f) => f.url().startsWith(`${signer.url}/readiness`));
  if (!frame) throw new Error(`the readiness box on ${page.url()} has no page from the signer`);
  await frame.waitForSelector('#status');
}

async function fillDetails(page: Page, cardId: string, category: 'individual' | 'customs_specialist' = 'individual') {
  const card = pki.card(cardId);
  await page.check(category === 'individual' ? '#category' : `#category-${category}`);
  await page.fill('#name', card.holderName);
  await page.fill('#idNumber', card.idNumber);
  await page.fill('#birthDate', '69/05/17');
  await page.fill('#phone', '0912-345-678');
  await page.fill('#address', '臺北市中正區忠孝西路一段 1 號');
  await page.fill('#password', APPLICANT_PASSWORD);
  await page.fill('#passwordConfirm', APPLICANT_PASSWORD);
  await page.fill('#email1', 'applicant@example.com.tw');
  await page.check('#consent');
}

/** The registration without JavaScript up to the certificate step: the details, then 下一步. */
async function toCertificateStep(page: Page, cardId: string, category?: 'individual' | 'customs_specialist') {
  await page.goto(portal.url(`/register/citizen?category=${category ?? 'individual'}`));
  await fillDetails(page, cardId, category);
  await clickTo(page, '#nojs-buttons button[value="next"]', '/register/citizen/certificate');
}

/** A whole registration without JavaScript, the card in the reader signing on the signer's own page: 註冊完成. */
async function register(page: Page, cardId: string, category?: 'individual' | 'customs_specialist') {
  const card = pki.card(cardId);
  signer.service.insertedCard = card.cardSerial;
  await toCertificateStep(page, cardId, category);
  await page.fill('#pin', card.pin);
  await clickTo(page, '#load-certificate'); // the signer's page, with its 確定
  await clickTo(page, 'form button[type="submit"]', '/register/citizen/confirm');
  await clickTo(page, '#confirm-submit', '/register/citizen/done');
}

async function accountId(cardId: string): Promise<number | undefined> {
  return (await accountsRepository(portal.db.pool).findByIdNumber(pki.card(cardId).idNumber))?.id;
}

/** A registration waiting for an operator: 陳志明 as 報關專責人員, made once through the form. */
async function pendingRegistration(): Promise<number> {
  const existing = await accountId('chen-zhiming');
  if (existing !== undefined) return existing;
  const page = await portal.newPage({ js: false });
  try {
    await register(page, 'chen-zhiming', 'customs_specialist');
  } finally {
    await page.context().close();
  }
  return (await accountId('chen-zhiming'))!;
}

async function passwordLogin(page: Page, idNumber: string, password: string): Promise<void> {
  await page.goto(portal.url('/login/password'));
  await page.fill('#idNumber', idNumber);
  await page.fill('#password', password);
  await clickTo(page, 'form[action="/login/password"] button[type="submit"]');
}

let operatorMade: Promise<unknown> | undefined;
/** An operator as the operator tests make one (an active account with a password), logged in by the login page. */
async function operatorLogin(page: Page): Promise<void> {
  operatorMade ??= hashPassword(OPERATOR.password).then((passwordHash) =>
    createAccount(portal.db.pool, { role: 'operator', name: OPERATOR.name, idNumber: OPERATOR.idNumber, passwordHash }),
  );
  await operatorMade;
  await passwordLogin(page, OPERATOR.idNumber, OPERATOR.password);
}

const open = (url: string) => async (page: Page) => {
  await page.goto(portal.url(url));
};

/** name (of the PNG files), the path it starts at (to pick pages to shoot), and how to reach the page. */
const PAGES: Array<[string, string, (page: Page) => Promise<void>]> = [
  ['home', '/', open('/')],
  ['register-chooser', '/register', open('/register')],
  ['register-details', '/register/citizen?category=individual', open('/register/citizen?category=individual')],
  [
    'register-errors',
    '/register/citizen',
    async (page) => {
      // 下一步 on the empty form: the server answers with the error summary and each field's error.
      await page.goto(portal.url('/register/citizen?category=individual'));
      await clickTo(page, '#nojs-buttons button[value="next"]', '/register/citizen');
      await page.waitForSelector('#error-summary');
    },
  ],
  [
    'register-certificate',
    '/register/citizen/certificate',
    async (page) => {
      signer.service.insertedCard = pki.card('wang-xiaoming').cardSerial;
      await toCertificateStep(page, 'wang-xiaoming');
      await readinessLoaded(page);
    },
  ],
  ['register-done', '/register/citizen/done', (page) => register(page, 'wang-xiaoming')],
  ['login', '/login', open('/login')],
  ['login-password', '/login/password', open('/login/password')],
  [
    'login-certificate',
    '/login/certificate',
    async (page) => {
      signer.service.insertedCard = pki.card('wang-xiaoming').cardSerial;
      await page.goto(portal.url('/login/certificate'));
      await readinessLoaded(page);
    },
  ],
  [
    'outcome-revoked-card',
    '/login/certificate',
    async (page) => {
      // 張雅婷's card is revoked: after the signer's 確定 the portal answers with an outcome page, not a form error.
      const card = pki.card('zhang-yating');
      signer.service.insertedCard = card.cardSerial;
      await page.goto(portal.url('/login/certificate'));
      await page.fill('#pin', card.pin);
      await clickTo(page, '#load-certificate');
      await clickTo(page, 'form button[type="submit"]');
      await page.waitForSelector('#outcome[data-reason="revoked"]');
    },
  ],
  [
    'outcome-pending',
    '/login/password',
    async (page) => {
      // The 報關專責人員 registered above logs in while the operator has not decided yet.
      await pendingRegistration();
      await passwordLogin(page, pki.card('chen-zhiming').idNumber, APPLICANT_PASSWORD);
      await page.waitForSelector('#outcome[data-reason="account_pending"]');
    },
  ],
  [
    'forgot-password',
    '/login/forgot-password',
    async (page) => {
      signer.service.insertedCard = pki.card('wang-xiaoming').cardSerial;
      await page.goto(portal.url('/login/forgot-password'));
      await readinessLoaded(page);
    },
  ],
  [
    'admin-dashboard',
    '/admin',
    async (page) => {
      await pendingRegistration();
      await operatorLogin(page);
      await page.goto(portal.url('/admin'));
    },
  ],
  [
    'admin-account',
    '/admin/accounts/<id>',
    async (page) => {
      const id = await pendingRegistration();
      await operatorLogin(page);
      await page.goto(portal.url(`/admin/accounts/${id}`));
    },
  ],
  ['downloads', '/downloads', open('/downloads')],
  ['personal-data', '/personal-data', open('/personal-data')],
  ['accessibility', '/accessibility', open('/accessibility')],
];

let failed = false;
try {
  for (const [name, start, reach] of PAGES.filter(
    ([n, p]) => only.length === 0 || only.includes(n) || only.includes(p),
  )) {
    const page = await portal.newPage({ js: false, viewport: VIEWPORTS.desktop });
    try {
      await reach(page);
      const status = await page.evaluate(() => document.querySelector('h1')?.textContent?.trim() ?? '');
      for (const [size, viewport] of Object.entries(VIEWPORTS)) {
        await page.setViewportSize(viewport);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        const file = `${outDir}/${name}-${size}.png`;
        await page.screenshot({ path: file, fullPage: true });
        process.stdout.write(
          `${file}: ${path(page)} 「${status}」${overflow > 0 ? ` (scrolls sideways by ${overflow}px)` : ''}\n`,
        );
      }
    } catch (error) {
      failed = true;
      process.stderr.write(`${name} (${start}): ${(error as Error).message}\n`);
    } finally {
      await page.context().close();
    }
  }
} finally {
  await setup.close();
}
if (failed) process.exitCode = 1;
