// The readiness box before the PIN on every certificate page: the local signer's /readiness page in an <object> with
// a fallback that says, without JavaScript, that the component does not answer; and a CSP that lets exactly that
// frame in (the signer's origin, for object-src and frame-src) on those pages only, nothing more.
import t from 'tap';
import { buildTestApp, Browser, csrfFrom } from '../helpers/app';

const ctx = await buildTestApp();
t.teardown(ctx.close);

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );
}

const CERTIFICATE_PAGES = [
  '/login/certificate',
  '/login/organisation-certificate',
  '/login/forgot-password',
  '/login/unlock',
  '/register/citizen',
  '/register/organisation/certificate?category=customs_broker',
];

t.test('a certificate page’s CSP lets the signer’s origin in as an object, and nothing else', async (t) => {
  for (const url of CERTIFICATE_PAGES) {
    const page = await ctx.app.inject({ url });
    t.equal(page.statusCode, 200, url);
    const csp = directives(String(page.headers['content-security-policy']));
    t.same(csp.get('object-src'), ['http://127.0.0.1:61161'], `${url}: object-src`);
    t.same(csp.get('frame-src'), ['http://127.0.0.1:61161'], `${url}: frame-src`);
    t.same(csp.get('img-src'), ["'self'", 'data:'], `${url}: no picture from the signer`);
    t.same(csp.get('default-src'), ["'self'"], 'everything else stays on the portal');
    t.same(csp.get('script-src'), ["'self'"]);
    t.same(csp.get('frame-ancestors'), ["'none'"], 'and the portal itself is framed by nobody');
    t.notOk(csp.has('child-src'));
  }
});

t.test('pages without the box keep object-src none and no frame at all', async (t) => {
  for (const url of ['/', '/login', '/login/password', '/register', '/downloads']) {
    const csp = directives(String((await ctx.app.inject({ url })).headers['content-security-policy']));
    t.same(csp.get('object-src'), ["'none'"], url);
    t.notOk(csp.has('frame-src'), `${url}: no frame-src (default-src 'self')`);
  }
});

t.test('the CSP follows SIGNER_URL', async (t) => {
  const other = await buildTestApp({ SIGNER_URL: 'http://127.0.0.1:61999' });
  t.teardown(other.close);
  const page = await other.app.inject({ url: '/login/certificate' });
  const csp = directives(String(page.headers['content-security-policy']));
  t.same(csp.get('object-src'), ['http://127.0.0.1:61999']);
  t.same(csp.get('frame-src'), ['http://127.0.0.1:61999']);
  t.match(
    (await other.app.inject({ url: '/login/certificate' })).body,
    'data="http://127.0.0.1:61999/readiness?lang=zh-TW"',
  );
});

/** The certificate pages: each shows the box before its PIN field. */
async function certificatePages(browser: Browser): Promise<Array<[string, string]>> {
  const pages: Array<[string, string]> = [];
  for (const url of CERTIFICATE_PAGES) pages.push([url, (await browser.get(url)).body]);
  // The no-JS registration's certificate step needs the details first.
  const form = await browser.get('/register/citizen');
  await browser.post('/register/citizen', {
    _csrf: csrfFrom(form.body),
    category: 'individual',
    name: '王小明',
    idNumber: 'A123456789',
    birthDate: '69/05/17',
    phone: '0912-345-678',
    address: '臺北市中正區忠孝西路一段 1 號',
    password: 'Harbour2Light',
    passwordConfirm: 'Harbour2Light',
    email1: 'applicant@example.com.tw',
    consent: 'yes',
  });
  pages.push(['/register/citizen/certificate', (await browser.get('/register/citizen/certificate')).body]);
  return pages;
}

t.test(
  'every certificate page has the box before the PIN, with the fallback when the signer does not answer',
  async (t) => {
    for (const [url, body] of await certificatePages(new Browser(ctx.app))) {
      const object = /<object class="readiness__frame"[^>]*>/.exec(body)?.[0] ?? '';
      t.match(object, 'data="http://127.0.0.1:61161/readiness?lang=zh-TW"', `${url}: the signer's page`);
      t.match(object, /type="text\/html"/);
      t.match(object, /title="憑證元件狀態：是否已啟動，以及讀卡機中的卡片"/, `${url}: the frame is named`);
      t.ok(body.indexOf('readiness__frame') < body.indexOf('id="pin"'), `${url}: before the PIN`);
      const fallback = /<object[\s\S]*?<\/object>/.exec(body)?.[0] ?? '';
      t.match(fallback, '未偵測到憑證元件。', `${url}: the fallback says the component does not answer`);
      t.match(fallback, '瀏覽器將顯示無法連線', `${url}: and what would happen on 載入`);
      t.match(fallback, /<a href="\/downloads">/, `${url}: and where to get it`);
      t.match(body, /<link rel="stylesheet" href="\/public\/css\/signing\.css">/);
    }
  },
);

t.test('in English, the box asks the signer for English', async (t) => {
  const browser = new Browser(ctx.app);
  browser.cookies.set('lang', 'en');
  const body = (await browser.get('/login/certificate')).body;
  t.match(body, 'data="http://127.0.0.1:61161/readiness?lang=en"');
  t.match(body, 'The certificate component was not found.');
});

t.test('on a kiosk the signer is asked for its kiosk page (no links to other windows)', async (t) => {
  const kiosk = await buildTestApp({ KIOSK: 'true' });
  t.teardown(kiosk.close);
  const body = (await kiosk.app.inject({ url: '/login/certificate' })).body;
  t.match(body, 'data="http://127.0.0.1:61161/readiness?lang=zh-TW&amp;kiosk=1"');
});

t.test('the signing stylesheet is served', async (t) => {
  const css = await ctx.app.inject({ url: '/public/css/signing.css' });
  t.equal(css.statusCode, 200);
  t.match(css.body, /\.readiness__frame/);
});
