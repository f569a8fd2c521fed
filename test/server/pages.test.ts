import t from 'tap';
import { buildTestApp } from '../helpers/app';

const ctx = await buildTestApp();
t.teardown(ctx.close);

t.test('the home page shows the full left menu in zh-TW', async (t) => {
  const res = await ctx.app.inject({ url: '/' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /text\/html/);
  for (const label of [
    '一般民眾/首頁',
    '單一登入',
    '關於單一窗口',
    '服務介紹',
    'XML優點',
    '註冊',
    '工商、自然人憑證註冊',
    '通關專屬憑證註冊',
    '通關服務(帶憑證)',
    '通關服務(免憑證)',
    '資料下載',
    '軟體下載',
  ]) {
    t.ok(res.body.includes(label), `menu has ${label}`);
  }
  t.match(res.body, /<html lang="zh-TW">/);
});

t.test('the language switch sets English without JavaScript', async (t) => {
  const res = await ctx.app.inject({ url: '/lang/en?next=/' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/');
  const cookie = res.cookies.find((c) => c.name === 'lang');
  t.equal(cookie?.value, 'en');
  const home = await ctx.app.inject({ url: '/', cookies: { lang: 'en' } });
  t.match(home.body, /<html lang="en">/);
  t.match(home.body, /Single sign-on/);
});

t.test('the language switch refuses to redirect off-site', async (t) => {
  const res = await ctx.app.inject({ url: '/lang/en?next=//evil.example/' });
  t.equal(res.headers.location, '/');
});

t.test('an unknown page is a 404 HTML page in both languages', async (t) => {
  const zh = await ctx.app.inject({ url: '/no-such-page' });
  t.equal(zh.statusCode, 404);
  t.match(zh.body, /找不到網頁/);
  const en = await ctx.app.inject({ url: '/no-such-page', cookies: { lang: 'en' } });
  t.match(en.body, /Page not found/);
});

t.test('pages carry a strict CSP with no inline script and the signer allowed', async (t) => {
  const res = await ctx.app.inject({ url: '/' });
  const csp = String(res.headers['content-security-policy']);
  t.match(csp, /script-src 'self'/);
  t.notMatch(csp, /unsafe-inline/);
  t.match(csp, /form-action 'self' http:\/\/127\.0\.0\.1:61161/);
  t.match(csp, /connect-src 'self' http:\/\/127\.0\.0\.1:61161 ws:\/\/127\.0\.0\.1:61161/);
});

t.test('/healthz and /readyz answer', async (t) => {
  t.equal((await ctx.app.inject({ url: '/healthz' })).statusCode, 200);
  const ready = await ctx.app.inject({ url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ready' });
});
