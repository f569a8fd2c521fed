// 註冊 > 通關專屬憑證註冊: the page and its 申請類別 choice. 報關業 comes chosen (the certificate is issued to customs
// brokers); an applicant's own choice is kept when the page comes back to it, and a choice it does not offer is an error
// on the page itself.
import t from 'tap';
import { Browser, buildTestApp, csrfFrom, uniqueAddress } from '../helpers/app';
import { CUSTOMS_CERTIFICATE_CATEGORIES } from '../../server/registration/organisation-rules';

const ctx = await buildTestApp();
t.teardown(ctx.close);

/** The values of the category radios, and those of them that are checked. */
function radios(html: string): { values: string[]; checked: string[] } {
  const inputs = [...html.matchAll(/<input type="radio" name="category" [^>]*>/g)].map((m) => m[0]);
  const value = (input: string) => /value="([^"]*)"/.exec(input)![1];
  return { values: inputs.map(value), checked: inputs.filter((i) => / checked>$/.test(i)).map(value) };
}

async function submit(category: string | undefined) {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/customs-certificate');
  const form: Record<string, string> = { _csrf: csrfFrom(page.body) };
  if (category !== undefined) form.category = category;
  return client.post('/register/customs-certificate', form);
}

t.test('the page offers the business categories, with 報關業 chosen', async (t) => {
  const res = await ctx.app.inject({ url: '/register/customs-certificate' });
  t.equal(res.statusCode, 200);
  const { values, checked } = radios(res.body);
  t.same(values, CUSTOMS_CERTIFICATE_CATEGORIES);
  t.notOk(values.includes('government'), '政府機關 registers with its government certificate');
  t.same(checked, ['customs_broker']);
  t.match(
    res.body,
    /<input type="radio" name="category" id="category-customs_broker" value="customs_broker" checked>\s*<label for="category-customs_broker">報關業<\/label>/,
  );
  t.match(res.body, /<form method="post" action="\/register\/customs-certificate" novalidate>/);
  t.notMatch(res.body, /class="error-summary"/);
});

t.test('another category submitted goes on to the certificate step with that category', async (t) => {
  const res = await submit('express');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/register/organisation/certificate?category=express&certificate=customs');
});

t.test('no category submitted comes back with the error twice and nothing put in the applicant’s place', async (t) => {
  const res = await submit(undefined);
  t.equal(res.statusCode, 400);
  t.match(res.body, /<a href="#category">請選擇申請類別<\/a>/);
  t.match(res.body, /id="category-error"/);
  t.same(radios(res.body).checked, [], 'the default is not checked again for the applicant');
});

t.test('a category this certificate does not register comes back with its own error', async (t) => {
  for (const category of ['government', 'individual', 'no-such-category']) {
    const res = await submit(category);
    t.equal(res.statusCode, 400, category);
    t.match(res.body, /<a href="#category">請選擇下列可使用通關專屬憑證註冊的申請類別；政府機關請以政府憑證註冊<\/a>/);
    t.same(radios(res.body).checked, [], category);
  }
});

t.test('BACK from the certificate step keeps the category the applicant chose, not 報關業', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const step = await client.get('/register/organisation/certificate?category=warehouse&certificate=customs');
  t.equal(step.statusCode, 200);
  const back = /<ul class="card-links register-links">\s*<li><a href="([^"]+)">/.exec(step.body)![1];
  t.equal(back, '/register/customs-certificate?category=warehouse');
  const page = await client.get(back);
  t.same(radios(page.body).checked, ['warehouse']);
});

t.test('a category in the address that the page does not offer leaves 報關業 chosen', async (t) => {
  for (const category of ['government', 'individual', '', 'x" onfocus="alert(1)']) {
    const res = await ctx.app.inject({ url: `/register/customs-certificate?category=${encodeURIComponent(category)}` });
    t.equal(res.statusCode, 200);
    t.same(radios(res.body).checked, ['customs_broker'], JSON.stringify(category));
  }
});

t.test('the English page chooses the same category and words the error in English', async (t) => {
  const page = await ctx.app.inject({ url: '/register/customs-certificate', cookies: { lang: 'en' } });
  t.match(page.body, /<html lang="en">/);
  t.same(radios(page.body).checked, ['customs_broker']);
  t.match(page.body, /<label for="category-customs_broker">Customs broker<\/label>/);
  const client = new Browser(ctx.app, uniqueAddress());
  client.cookies.set('lang', 'en');
  const form = await client.get('/register/customs-certificate');
  const res = await client.post('/register/customs-certificate', {
    _csrf: csrfFrom(form.body),
    category: 'government',
  });
  t.equal(res.statusCode, 400);
  t.match(
    res.body,
    /register with a customs-only certificate; a government agency registers with its government certificate/,
  );
});

t.test('the page keeps its title, breadcrumb and left menu, and links nowhere outside the portal', async (t) => {
  for (const lang of ['zh-TW', 'en']) {
    const res = await ctx.app.inject({ url: '/register/customs-certificate', cookies: { lang } });
    t.notMatch(res.body, /href="(https?:)?\/\//, lang);
  }
  const res = await ctx.app.inject({ url: '/register/customs-certificate' });
  t.match(res.body, /<h1>通關專屬憑證註冊<\/h1>/);
  t.match(res.body, /<li><a href="\/register">註冊<\/a><\/li>/);
  t.match(res.body, /<span aria-current="page">通關專屬憑證註冊<\/span>/);
  t.match(res.body, /TRUST_DIR/);
});

t.test('the English page has no untranslated Chinese sentence', async (t) => {
  const res = await ctx.app.inject({ url: '/register/customs-certificate', cookies: { lang: 'en' } });
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(res.body)![1];
  const prose = main.replace(/「[^」]*」|\([^)]*[\u4e00-\u9fff][^)]*\)|（[^）]*）/g, '');
  t.notMatch(prose.replace(/<[^>]+>/g, ''), /[\u4e00-\u9fff]{4,}/);
});
