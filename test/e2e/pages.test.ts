// Every public page in a real browser, JavaScript off and on, zh-TW and English: axe-core clean, left menu by keyboard.
import t from 'tap';
import { startPortal, expectAxeClean, expectMenuReachableByKeyboard, runAxe } from './helpers/browser';
import { INFO_PAGES } from '../../server/routes/info/pages';

const portal = await startPortal();
t.teardown(portal.close);

const PAGES = ['/', ...INFO_PAGES.map((p) => p.url), '/downloads', '/downloads/registration-manual', '/no-such-page'];

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
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href="/downloads/registration-manual/file"]')]);
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
  for (const path of ['/', '/manual', '/downloads/registration-manual']) {
    await page.goto(portal.url(path));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    t.ok(overflow <= 0, `${path} has no horizontal scroll (${overflow}px)`);
  }
});

t.test('the accessibility check really finds problems (it is not vacuous)', async (t) => {
  const page = await portal.newPage({ js: false });
  const url = portal.url('/axe-self-check');
  await page.route(url, (route) => route.fulfill({ contentType: 'text/html', body: '<html><body><img src="/x.png"><input type="text"></body></html>' }));
  await page.goto(url);
  const violations = await runAxe(page);
  t.ok(violations.some((v) => v.id === 'image-alt' && v.impact === 'critical'), 'a missing alt text is critical');
  t.ok(violations.some((v) => v.id === 'html-has-lang'), 'a missing lang is found');
});
