// One wording: 憑證 everywhere, the seed's 憑証 only in the two labels the seed gives the login page; one PIN rule
// text wherever a PIN is asked for; steps that match the path (the no-JavaScript round trip has the certificate
// component's 確定 ③, the script's path has none).
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildTestApp, Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { loadMessages } from '../../server/plugins/i18n';
import { detailsFor } from '../register/helpers';

const ROOT = new URL('../../', import.meta.url).pathname;
const messages = loadMessages();

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : name.endsWith(ext) ? [path] : [];
  });
}

/** The seed's own labels with 憑証 (新版自然人憑証登入 and its button 載入憑証). */
const SEED_LABELS = /新版自然人憑証登入|載入憑証/g;

t.test(
  '憑証 appears only inside the seed labels, in the locale files, the views and the downloadable manual',
  async (t) => {
    const texts: Array<[string, string]> = [
      ...Object.entries(messages['zh-TW']).map(([key, text]) => [`zh-TW ${key}`, text] as [string, string]),
      ...Object.entries(messages.en).map(([key, text]) => [`en ${key}`, text] as [string, string]),
      ...files(join(ROOT, 'views'), '.njk').map(
        (file) => [file.slice(ROOT.length), readFileSync(file, 'utf8')] as [string, string],
      ),
      ...files(join(ROOT, 'public/downloads'), '.txt').map(
        (file) => [file.slice(ROOT.length), readFileSync(file, 'utf8')] as [string, string],
      ),
    ];
    let labels = 0;
    for (const [where, text] of texts) {
      labels += (text.match(SEED_LABELS) ?? []).length;
      t.notMatch(text.replace(SEED_LABELS, ''), /憑証/, `${where}: 憑證, or a seed label`);
    }
    t.ok(labels >= 4, 'the seed labels are still there');
    t.equal(messages['zh-TW']['login.certificateTitle'], '新版自然人憑証登入');
    t.equal(messages['zh-TW']['login.loadCertificate'], '載入憑証');
  },
);

t.test('one PIN rule text: no other message words the PIN length', async (t) => {
  for (const lang of ['zh-TW', 'en'] as const) {
    const rule = messages[lang]['signing.pinHint'];
    t.match(rule, lang === 'zh-TW' ? /6 至 8 碼英文字母或數字/ : /6 to 8 letters or digits/);
    const others = Object.entries(messages[lang]).filter(
      ([key, text]) => key !== 'signing.pinHint' && /6 (至|to) 8|6至8/.test(text),
    );
    t.same(others, [], `${lang}: only signing.pinHint words it`);
  }
});

const ctx = await buildTestApp();
t.teardown(ctx.close);
const pinHint = (html: string) => /<p class="hint" id="pin-hint">([^<]*)<\/p>/.exec(html)?.[1];

t.test('the login page, the registration form and its certificate step show the same PIN rule', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const login = await client.get('/login/certificate');
  const form = await client.get('/register/citizen');
  const details = await client.post('/register/citizen', {
    _csrf: csrfFrom(form.body),
    ...detailsFor({ holderName: '王小明', idNumber: 'A123456789' }),
  });
  t.equal(details.statusCode, 303);
  const certificate = await client.get('/register/citizen/certificate');
  for (const [name, page] of [
    ['login', login],
    ['registration', form],
    ['certificate step', certificate],
  ] as const) {
    t.equal(pinHint(page.body), messages['zh-TW']['signing.pinHint'], name);
  }
  const english = await ctx.app.inject({ url: '/login/certificate', headers: { cookie: 'lang=en' } });
  t.equal(pinHint(english.body), messages.en['signing.pinHint']);
  t.match(
    certificate.body,
    `<p id="certificate-steps" data-js-text="${messages['zh-TW']['register.certificate.stepsJs']}">${messages['zh-TW']['register.certificate.steps']}</p>`,
  );
});

for (const url of ['/login/certificate', '/login/organisation-certificate'])
  t.test(`${url}: 確定 ③ and 送出 ④ without JavaScript; with it no 確定, and 送出 is ③`, async (t) => {
    const page = await ctx.app.inject({ url });
    t.equal(pinHint(page.body), messages['zh-TW']['signing.pinHint'], 'the one PIN rule');
    const steps = /<p id="certificate-steps" data-js-text="([^"]*)">([^<]*)<\/p>/.exec(page.body);
    t.ok(steps, 'the steps carry both wordings');
    const [, withScript, withoutScript] = steps!;
    t.match(withoutScript, /點選確定③/);
    t.match(withoutScript, /送出④/);
    t.notMatch(withScript, /確定/, 'no 確定 on the script path');
    t.match(withScript, /送出③/);
    t.notMatch(withScript, /④/);
    // The script's form (shown once the card has signed) numbers its 送出 as its steps do.
    const signedForm = /<form method="post" action="[^"]*" id="signed-form"[\s\S]*?<\/form>/.exec(page.body)![0];
    t.match(signedForm, /<span class="step">③<\/span> 送出/);
    t.match(signedForm, /請點選送出③完成登入/);
    t.notMatch(signedForm, /④/);
  });
