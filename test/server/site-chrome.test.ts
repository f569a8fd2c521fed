// What every page has: the emblem and favicons, the 導盲磚 (:::) access keys, the footer's policy links, the 客服
// contact from the configuration and the 主管機關 line, in both languages; and no implementation name anywhere in it.
import t from 'tap';
import { buildTestApp } from '../helpers/app';
import { sessionCookieFor } from '../helpers/session';

const ctx = await buildTestApp({
  SUPPORT_PHONE: '0800-123-456',
  SUPPORT_EMAIL: 'desk@example.gov.tw',
  SUPPORT_HOURS: '1-5 08:30-17:30',
});
t.teardown(ctx.close);

const PAGES = [
  '/',
  '/register',
  '/register/citizen',
  '/login',
  '/downloads',
  '/privacy',
  '/personal-data',
  '/terms',
  '/accessibility',
  '/no-such-page',
];

function footerOf(html: string): string {
  return /<footer class="site-footer">([\s\S]*?)<\/footer>/.exec(html)?.[1] ?? '';
}

for (const path of PAGES) {
  t.test(`${path} has the emblem, favicons and one access key for each region`, async (t) => {
    const res = await ctx.app.inject({ url: path });
    t.match(res.body, /<link rel="icon" href="\/favicon\.ico"/);
    t.match(res.body, /<link rel="icon" href="\/public\/img\/emblem\.svg" type="image\/svg\+xml">/);
    t.match(
      res.body,
      /<img class="site-header__emblem" src="\/public\/img\/emblem\.svg" alt=""/,
      'the emblem is decorative: the name beside it is the link text',
    );
    const keys = [...res.body.matchAll(/accesskey="(\w)"/g)].map((m) => m[1]);
    t.same(keys, ['U', 'L', 'C', 'Z'], 'U in the header, L in the menu, C in the content, Z in the footer, each once');
    for (const key of keys)
      t.match(
        res.body,
        new RegExp(`accesskey="${key}" href="#${key}" id="${key}" title="[^"]+"`),
        `${key} is its own anchor`,
      );
  });
}

t.test('the footer links the policies and shows the configured service desk and the authority (zh-TW)', async (t) => {
  const footer = footerOf((await ctx.app.inject({ url: '/' })).body);
  for (const [href, label] of [
    ['/privacy', '隱私權政策'],
    ['/personal-data', '個資蒐集告知'],
    ['/terms', '服務條款及網站使用說明'],
    ['/accessibility', '無障礙聲明'],
  ]) {
    t.match(footer, `<a href="${href}">${label}</a>`);
  }
  t.match(footer, '<a href="tel:+886800123456">0800-123-456</a>');
  t.match(footer, '<a href="mailto:desk@example.gov.tw">desk@example.gov.tw</a>');
  t.match(footer, '週一至週五 08:30–17:30');
  t.match(footer, '主管機關：財政部關務署');
  t.notMatch(footer, /sw-portal|Fastify|Nunjucks|Node/i, 'no implementation name');
});

t.test('the footer is in English on English pages', async (t) => {
  const footer = footerOf((await ctx.app.inject({ url: '/', headers: { cookie: 'lang=en' } })).body);
  t.match(footer, 'Privacy policy');
  t.match(footer, 'Monday to Friday, 08:30–17:30');
  t.match(footer, 'Competent authority: Customs Administration, Ministry of Finance');
  t.notMatch(footer.replace(/<[^>]+>/g, ''), /[\u4e00-\u9fff]{2,}/, 'no Chinese text');
});

t.test('the demo banner sits inside the header landmark', async (t) => {
  const res = await ctx.app.inject({ url: '/' });
  t.match(res.body, /<header class="site-header">[\s\S]*<p class="demo-banner">[\s\S]*<\/header>/);
});

t.test('on a kiosk the contact is plain text: no tel: or mailto: link to an absent program', async (t) => {
  const kiosk = await buildTestApp({ KIOSK: 'true' });
  t.teardown(kiosk.close);
  const cookie = await sessionCookieFor(kiosk.db.pool, {
    accountId: 1,
    name: '王小明',
    role: 'citizen',
    method: 'password',
  });
  const res = await kiosk.app.inject({ url: '/', headers: { cookie } });
  const footer = footerOf(res.body);
  t.match(footer, '(02)2345-6789');
  t.notMatch(footer, /href="(tel|mailto):/);
  t.match(
    res.body,
    /<header class="site-header">[\s\S]*<p class="kiosk-idle-notice" role="note">[\s\S]*<\/header>/,
    'the idle notice is inside the header landmark',
  );
});

t.test('/favicon.ico is the emblem as an icon file', async (t) => {
  const res = await ctx.app.inject({ url: '/favicon.ico' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^image\/(vnd\.microsoft\.icon|x-icon)/);
  t.same([...res.rawPayload.subarray(0, 4)], [0, 0, 1, 0], 'an ICO header');
  const svg = await ctx.app.inject({ url: '/public/img/emblem.svg' });
  t.equal(svg.statusCode, 200);
  t.match(svg.headers['content-type'], /image\/svg\+xml/);
});

t.test(
  'the personal data notice names the agency, the purposes, what is collected, the retention and the rights of Article 3',
  async (t) => {
    const res = await ctx.app.inject({ url: '/personal-data' });
    const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(res.body)![1]!;
    for (const text of [
      '財政部關務署',
      '蒐集目的',
      '身分證號',
      '出生年月日',
      '聯絡地址',
      '聯絡電話',
      'Email',
      '利用期間',
      '第3條',
      '查詢或請求閱覽',
      '請求製給複製本',
      '請求補充或更正',
      '請求停止蒐集、處理或利用',
      '請求刪除',
      '0800-123-456',
    ]) {
      t.match(main, text);
    }
    t.match(main, /本告知事項版本：\d{4}-\d{2}-\d{2}/);
  },
);

t.test('the accessibility statement explains the access keys and claims no certification mark', async (t) => {
  const res = await ctx.app.inject({ url: '/accessibility', headers: { cookie: 'lang=en' } });
  for (const key of ['U', 'L', 'C', 'Z']) t.match(res.body, `Alt+${key}`);
  t.match(res.body, 'not an accessibility certification mark');
  t.notMatch(res.body, /<img[^>]+(accessib|AA)/i, 'no badge image');
});
