import t from 'tap';
import { buildTestApp } from '../helpers/app';
import { INFO_PAGES } from '../../server/routes/info/pages';
import { sessionCookieFor } from '../helpers/session';

const ctx = await buildTestApp();
t.teardown(ctx.close);
// The service pages need a login (with the card, for 通關服務(帶憑證)); the content tests view them logged in so.
const certificateSession = await sessionCookieFor(ctx.db.pool, {
  accountId: 1,
  name: '王小明',
  role: 'citizen',
  method: 'certificate',
});
const passwordSession = await sessionCookieFor(ctx.db.pool, {
  accountId: 1,
  name: '王小明',
  role: 'citizen',
  method: 'password',
});
const headersFor = (url: string, lang?: string) => ({
  cookie: [url.startsWith('/services/') ? certificateSession : '', lang ? `lang=${lang}` : '']
    .filter(Boolean)
    .join('; '),
});

const zhTitles: Record<string, string> = {
  '/about': '關於單一窗口',
  '/services': '服務介紹',
  '/xml': 'XML優點',
  '/faq': '常見問題',
  '/manual': '註冊簡易手冊',
  '/privacy': '隱私權政策',
  '/personal-data': '個資蒐集告知',
  '/terms': '服務條款及網站使用說明',
  '/accessibility': '無障礙聲明',
  '/services/with-certificate': '通關服務(帶憑證)',
  '/services/without-certificate': '通關服務(免憑證)',
};

for (const page of INFO_PAGES) {
  t.test(`${page.url} is a zh-TW page with its title, breadcrumb and the left menu`, async (t) => {
    const res = await ctx.app.inject({ url: page.url, headers: headersFor(page.url) });
    t.equal(res.statusCode, 200);
    t.match(res.body, /<html lang="zh-TW">/);
    t.match(res.body, new RegExp(`<h1>${zhTitles[page.url].replace(/[()]/g, '\\$&')}</h1>`));
    t.match(res.body, /<nav class="breadcrumb"[^>]*>\s*<ol>\s*<li><a href="\/">回首頁<\/a><\/li>/);
    t.match(res.body, new RegExp(`<span aria-current="page">${zhTitles[page.url].replace(/[()]/g, '\\$&')}</span>`));
    t.match(res.body, /通關專屬憑證註冊/);
  });

  t.test(`${page.url} is in English through the language switch`, async (t) => {
    const res = await ctx.app.inject({ url: page.url, headers: headersFor(page.url, 'en') });
    t.equal(res.statusCode, 200);
    t.match(res.body, /<html lang="en">/);
    t.match(res.body, /<li><a href="\/">Home<\/a><\/li>/);
    // No Chinese prose in the English main content, apart from quoted UI labels of the seed.
    const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(res.body)![1];
    const prose = main.replace(/「[^」]*」|\([^)]*[\u4e00-\u9fff][^)]*\)|（[^）]*）|[○一二] /g, '');
    t.notMatch(prose.replace(/<[^>]+>/g, ''), /[\u4e00-\u9fff]{4,}/, 'no untranslated Chinese sentence');
  });
}

t.test('the breadcrumb of a nested page links its parent', async (t) => {
  const res = await ctx.app.inject({
    url: '/services/with-certificate',
    headers: headersFor('/services/with-certificate'),
  });
  t.match(res.body, /<li><a href="\/services">服務介紹<\/a><\/li>/);
});

t.test('the service landing pages link to single sign-on', async (t) => {
  for (const url of ['/services/with-certificate', '/services/without-certificate']) {
    const res = await ctx.app.inject({ url, headers: headersFor(url) });
    t.match(res.body, /<a class="button" href="\/login">前往單一登入<\/a>/, url);
  }
});

t.test('the FAQ answers the questions citizens ask', async (t) => {
  const res = await ctx.app.inject({ url: '/faq' });
  for (const text of [
    '2017/08/01',
    '3 次',
    '戶政事務所',
    'HiCOS',
    '憑證元件',
    'JavaScript',
    '自助服務機',
    '報關專責人員',
  ]) {
    t.ok(res.body.includes(text), `mentions ${text}`);
  }
  t.match(res.body, /<a href="#faq-pin-locked">/, 'the index links each answer');
  t.match(res.body, /<h2 id="faq-pin-locked">/);
});

t.test('the manual follows the seed: preparation, registration, login', async (t) => {
  const res = await ctx.app.inject({ url: '/manual' });
  t.match(res.body, /○、準備工作/);
  t.match(res.body, /一、新版自然人憑證註冊/);
  t.match(res.body, /二、新版自然人憑証登入/);
  t.match(res.body, /載入憑証/, "the seed's button label");
  t.match(res.body, /憑證載入完成。/, 'the message as the certificate component shows it');
  t.match(res.body, /<link rel="stylesheet" href="\/public\/css\/print.css" media="print">/);
  t.match(res.body, /href="\/downloads\/registration-manual"/);
});

t.test('the print stylesheet hides the menu and keeps the content', async (t) => {
  const res = await ctx.app.inject({ url: '/public/css/print.css' });
  t.equal(res.statusCode, 200);
  t.match(res.body, /\.side-menu/);
  t.match(res.body, /display: none/);
});

t.test('content pages have no external links (kiosk terminals must not leave the portal)', async (t) => {
  for (const page of INFO_PAGES) {
    for (const lang of ['zh-TW', 'en']) {
      const res = await ctx.app.inject({ url: page.url, cookies: { lang } });
      t.notMatch(res.body, /href="(https?:)?\/\//, `${page.url} ${lang}`);
    }
  }
});

t.test('通關服務(帶憑證) sends anyone not logged in with the card to the certificate login', async (t) => {
  const anonymous = await ctx.app.inject({ url: '/services/with-certificate' });
  t.equal(anonymous.statusCode, 303);
  t.equal(anonymous.headers.location, '/login/certificate');
  const byPassword = await ctx.app.inject({ url: '/services/with-certificate', headers: { cookie: passwordSession } });
  t.equal(byPassword.statusCode, 303);
  t.equal(byPassword.headers.location, '/login/certificate');
  const loginPage = await ctx.app.inject({ url: '/login/certificate', headers: { cookie: passwordSession } });
  t.match(loginPage.body, /須以自然人憑證登入/);
  // The wrong way of logging in for this page is a word before the PIN, not an error at it.
  t.match(loginPage.body, /<p class="notice" role="status">通關服務\(帶憑證\)須以自然人憑證登入/);
  t.notMatch(loginPage.body, /class="error-summary"/);
  t.notMatch(loginPage.body, /aria-invalid="true"/);
  t.equal(loginPage.statusCode, 200);
});

t.test('通關服務(免憑證) accepts a password or a certificate login, and no anonymous visitor', async (t) => {
  const anonymous = await ctx.app.inject({ url: '/services/without-certificate' });
  t.equal(anonymous.statusCode, 303);
  t.equal(anonymous.headers.location, '/login?next=%2Fservices%2Fwithout-certificate');
  t.equal(
    (await ctx.app.inject({ url: '/services/without-certificate', headers: { cookie: passwordSession } })).statusCode,
    200,
  );
  t.equal(
    (await ctx.app.inject({ url: '/services/without-certificate', headers: { cookie: certificateSession } }))
      .statusCode,
    200,
  );
});

t.test('a service page greets the logged-in user and says how they logged in', async (t) => {
  const res = await ctx.app.inject({ url: '/services/with-certificate', headers: { cookie: certificateSession } });
  t.match(res.body, /王小明 您好，您已以自然人憑證登入/);
});
