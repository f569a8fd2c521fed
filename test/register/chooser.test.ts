// 帳號註冊: the 申請類別 chooser of the seed, and the page a business or government category is sent to.
import t from 'tap';
import { Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { demoCardVerifier, makeDemoPki } from '../helpers/demo-cards';
import { buildRegisterApp } from './helpers';
import { REGISTRATION_CATEGORIES } from '../../server/forms/category';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const ctx = await buildRegisterApp(demoCardVerifier(demo.pki));
t.teardown(ctx.close);

async function choose(category?: string, lang?: 'en') {
  const client = new Browser(ctx.app, uniqueAddress());
  if (lang) client.cookies.set('lang', lang);
  const page = await client.get('/register');
  return client.post('/register', { _csrf: csrfFrom(page.body), ...(category === undefined ? {} : { category }) });
}

t.test('the chooser lists every category of the seed once, with the notice, the links and 送出 · 重填', async (t) => {
  const res = await new Browser(ctx.app, uniqueAddress()).get('/register');
  t.equal(res.statusCode, 200);
  const labels = [
    ...res.body.matchAll(
      /<input type="radio" name="category"[^>]*value="([^"]+)"[^>]*>\s*<label[^>]*>([^<]+)<\/label>/g,
    ),
  ].map((m) => m[2]);
  t.same(labels, [
    '個人',
    '報關專責人員',
    '一般企業',
    '報關業',
    '快遞',
    '船公司/代理業',
    '倉儲業',
    '報關報驗業',
    '離島免稅購物商店系統',
    '國際免稅商店',
    '政府機關',
  ]);
  t.equal(labels.length, REGISTRATION_CATEGORIES.length);
  t.match(res.body, '*使用2017/08/01(含)後核發之自然人憑證，請點選新版自然人憑證註冊頁面操作。');
  t.match(res.body, /<a href="\/register\/citizen">新版自然人憑證註冊<\/a>/);
  t.match(res.body, />BACK</);
  t.match(res.body, /<a href="\/manual">下載註冊簡易手冊<\/a>/);
  t.match(res.body, /<a href="\/faq">常見問題<\/a>/);
  t.match(res.body, /<button type="submit">送出<\/button>/);
  t.match(res.body, /<button type="reset"[^>]*>重填<\/button>/);
  t.match(
    res.body,
    /<a href="\/register">清除選擇<\/a>/,
    'a reset that also works after a failed submit, without JavaScript',
  );
  t.match(res.body, /<legend><span class="required" aria-hidden="true">\*<\/span>申請類別<\/legend>/);
  t.match(res.body, /回首頁[\s\S]*帳號註冊/, 'breadcrumb 回首頁>帳號註冊');
});

for (const category of ['individual', 'customs_specialist']) {
  t.test(`${category} goes on to the 新版自然人憑證註冊 page with the category chosen`, async (t) => {
    const res = await choose(category);
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, `/register/citizen?category=${category}`);
    const page = await new Browser(ctx.app, uniqueAddress()).get(res.headers.location as string);
    t.match(page.body, new RegExp(`value="${category}" checked`));
  });
}

t.test('a business category is sent to a page naming the 工商憑證 and what to prepare', async (t) => {
  const res = await choose('customs_broker');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/register/business?category=customs_broker');
  const page = await new Browser(ctx.app, uniqueAddress()).get(res.headers.location as string);
  t.equal(page.statusCode, 200);
  t.match(page.body, /<h1>報關業註冊說明<\/h1>/);
  t.match(page.body, /工商憑證（MOEACA）/);
  t.match(page.body, /統一編號/);
  t.match(page.body, /報關業設置登記證/);
  t.match(page.body, /讀卡機/);
  t.match(
    page.body,
    /href="\/register\/citizen\?category=customs_specialist"/,
    'a customs specialist is pointed to the citizen page',
  );
});

t.test('政府機關 is told to use the 政府憑證 (GCA)', async (t) => {
  const res = await choose('government');
  const page = await new Browser(ctx.app, uniqueAddress()).get(res.headers.location as string);
  t.match(page.body, /政府憑證（GCA）/);
  t.notMatch(page.body, /工商憑證（MOEACA）/);
});

t.test('the business page in English', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  client.cookies.set('lang', 'en');
  const page = await client.get('/register/business?category=shipping');
  t.match(page.body, /Business Certificate \(MOEACA/);
  t.match(page.body, /operating licence/);
});

t.test('every business category has its page; an unknown one goes back to the chooser', async (t) => {
  for (const { code, certificate } of REGISTRATION_CATEGORIES) {
    const res = await new Browser(ctx.app, uniqueAddress()).get(`/register/business?category=${code}`);
    if (certificate === 'moica') {
      t.equal(res.headers.location, `/register/citizen?category=${code}`);
    } else {
      t.equal(res.statusCode, 200, code);
    }
  }
  t.equal(
    (await new Browser(ctx.app, uniqueAddress()).get('/register/business?category=pirates')).headers.location,
    '/register',
  );
});

t.test('no category chosen is an error in the summary and at the field', async (t) => {
  const res = await choose();
  t.equal(res.statusCode, 400);
  t.match(res.body, /<div class="error-summary"[\s\S]*<a href="#category">請選擇申請類別<\/a>/);
  t.match(res.body, /<p class="field-error" id="category-error">[\s\S]*請選擇申請類別<\/p>/);
  t.match(
    res.body,
    /<input type="radio" name="category" id="category" value="individual"/,
    'the summary link lands on the first radio',
  );
});

t.test('a category not on the list is refused', async (t) => {
  const res = await choose('pirates');
  t.equal(res.statusCode, 400);
  t.match(res.body, /請從清單中選擇申請類別/);
  const en = await choose('', 'en');
  t.match(en.body, /href="#category"/);
});

t.test('the chooser refuses a POST without its CSRF token', async (t) => {
  const res = await new Browser(ctx.app, uniqueAddress()).post('/register', { category: 'individual' });
  t.equal(res.statusCode, 403);
});
