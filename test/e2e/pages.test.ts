// Every public page in a real browser, JavaScript off and on, zh-TW and English: axe-core clean, left menu by keyboard.
import t from 'tap';
import { startPortal, expectAxeClean, expectMenuReachableByKeyboard, runAxe } from './helpers/browser';
import { INFO_PAGES } from '../../server/routes/info/pages';

const portal = await startPortal();
t.teardown(portal.close);

const PAGES = [
  '/',
  ...INFO_PAGES.map((p) => p.url),
  '/register/customs-certificate',
  '/downloads',
  '/downloads/registration-manual',
  '/no-such-page',
];

for (const js of [false, true]) {
  for (const lang of ['zh-TW', 'en'] as const) {
    t.test(`every page is accessible with JavaScript ${js ? 'on' : 'off'} in ${lang}`, async (t) => {
      const page = await portal.newPage({ js, lang });
      for (const path of PAGES) {
        const response = await page.goto(portal.url(path));
        t.equal(response?.status(), path === '/no-such-page' ? 404 : 200, `${path} status`);
        t.equal(await page.getAttribute('html', 'lang'), lang, `${path} lang`);
        t.ok(await page.isVisible('.side-menu'), `${path} shows the left menu`);
        await expectAxeClean(page, t);
      }
    });
  }
}

t.test('the left menu is reachable by keyboard with JavaScript off', async (t) => {
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/about'));
  await expectMenuReachableByKeyboard(page, t);
});

t.test('the left menu is reachable by keyboard with JavaScript on', async (t) => {
  const page = await portal.newPage({ js: true, lang: 'en' });
  await page.goto(portal.url('/'));
  await expectMenuReachableByKeyboard(page, t);
});

t.test('the language switch works without JavaScript', async (t) => {
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/faq'));
  await page.click('a[hreflang="en"]');
  t.equal(new URL(page.url()).pathname, '/faq');
  t.equal(await page.getAttribute('html', 'lang'), 'en');
  t.equal(await page.textContent('h1'), 'Frequently asked questions');
});

t.test('the software download list leads to the file with JavaScript off', async (t) => {
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/downloads'));
  await page.click('a[href="/downloads/registration-manual"]');
  t.equal(await page.textContent('h1'), '註冊簡易手冊');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('a[href="/downloads/registration-manual/file"]'),
  ]);
  t.equal(download.suggestedFilename(), 'sw-portal-registration-manual.txt');
});

t.test('the manual prints without the menu', async (t) => {
  const page = await portal.newPage({ js: false });
  await page.goto(portal.url('/manual'));
  await page.emulateMedia({ media: 'print' });
  t.notOk(await page.isVisible('.side-menu'), 'menu hidden in print');
  t.ok(await page.isVisible('h1'), 'guide printed');
});

t.test('pages fit a phone screen without sideways scrolling', async (t) => {
  const page = await portal.newPage({ js: false, viewport: { width: 360, height: 740 } });
  for (const path of [
    '/',
    '/manual',
    '/downloads',
    '/downloads/registration-manual',
    '/register',
    '/register/citizen',
    '/login',
    '/personal-data',
    '/accessibility',
  ]) {
    await page.goto(portal.url(path));
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    t.ok(overflow <= 0, `${path} has no horizontal scroll (${overflow}px)`);
  }
});

const PHONE = { width: 360, height: 740 };

t.test('on a phone the left menu folds behind 選單 and opens without JavaScript', async (t) => {
  const page = await portal.newPage({ js: false, viewport: PHONE });
  await page.goto(portal.url('/'));
  t.ok(await page.isVisible('.side-menu__toggle'), '選單 is shown');
  t.equal((await page.textContent('.side-menu__toggle'))?.trim(), '選單');
  t.notOk(await page.isVisible('.side-menu__list a[href="/downloads"]'), 'the links wait behind it');
  await page.click('.side-menu__toggle');
  t.ok(await page.isVisible('.side-menu__list a[href="/downloads"]'), 'one tap shows them');
  await expectAxeClean(page, t);
});

t.test('on a wide screen the left menu is open and has no 選單 toggle', async (t) => {
  for (const js of [false, true]) {
    const page = await portal.newPage({ js });
    await page.goto(portal.url('/'));
    t.notOk(await page.isVisible('.side-menu__toggle'), `no toggle (JavaScript ${js ? 'on' : 'off'})`);
    t.ok(await page.isVisible('.side-menu__list a[href="/downloads"]'), 'the links are shown');
  }
});

t.test('on a phone a table becomes label/value pairs', async (t) => {
  const page = await portal.newPage({ js: false, viewport: PHONE });
  await page.goto(portal.url('/downloads'));
  const cells = await page.$$eval('.stack-table tbody tr:first-child td', (tds) =>
    tds.map((td) => ({ display: getComputedStyle(td).display, label: getComputedStyle(td, '::before').content })),
  );
  t.same(
    cells.map((c) => c.label),
    ['"項次"', '"軟體名稱"', '"日期"'].slice(0, cells.length),
    'each value carries its column label',
  );
  t.ok(
    cells.every((c) => c.display !== 'table-cell'),
    'cells are stacked, not columns',
  );
  const desktop = await portal.newPage({ js: false });
  await desktop.goto(portal.url('/downloads'));
  t.equal(
    await desktop.$eval('.stack-table td', (td) => getComputedStyle(td).display),
    'table-cell',
    'a real table on a wide screen',
  );
});

t.test('no text wraps one character per line on a phone', async (t) => {
  const page = await portal.newPage({ js: false, viewport: PHONE });
  for (const path of [
    '/',
    '/downloads',
    '/register',
    '/register/citizen',
    '/login',
    '/login/password',
    '/personal-data',
    '/terms',
  ]) {
    await page.goto(portal.url(path));
    await page.click('.side-menu__toggle');
    const squeezed = await page.evaluate(() => {
      const found: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = (node.textContent ?? '').replace(/\s+/g, '');
        // Visually hidden text (for screen readers) sits in a 1px box on purpose.
        const box = node.parentElement?.getBoundingClientRect();
        if (text.length < 3 || !box || box.width <= 1) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size >= text.length) found.push(text);
      }
      return found;
    });
    t.same(squeezed, [], `${path}: no word stands one character per line`);
  }
});

t.test('the accessibility check really finds problems (it is not vacuous)', async (t) => {
  const page = await portal.newPage({ js: false });
  const url = portal.url('/axe-self-check');
  await page.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<html><body><img src="/x.png"><input type="text"></body></html>',
    }),
  );
  await page.goto(url);
  const violations = await runAxe(page);
  t.ok(
    violations.some((v) => v.id === 'image-alt' && v.impact === 'critical'),
    'a missing alt text is critical',
  );
  t.ok(
    violations.some((v) => v.id === 'html-has-lang'),
    'a missing lang is found',
  );
});
