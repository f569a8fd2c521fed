// The 新版自然人憑證註冊 details form: every validator message in the error summary and at its field, in both
// languages; entered values kept and passwords never; 檢核是否存在 with and without JavaScript, rate-limited.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { demoCardVerifier, makeDemoPki } from '../helpers/demo-cards';
import { buildRegisterApp } from './helpers';
import { REGISTRATION_ERROR_CODES } from '../../server/forms/registration';
import { accountsRepository } from '../../server/db/accounts-repository';
import { CHECKS_PER_MINUTE } from '../../server/routes/register/check';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const ctx = await buildRegisterApp(demoCardVerifier(demo.pki));
t.teardown(ctx.close);

const messages = {
  'zh-TW': JSON.parse(readFileSync(new URL('../../locales/zh-TW/validation.json', import.meta.url), 'utf8')),
  en: JSON.parse(readFileSync(new URL('../../locales/en/validation.json', import.meta.url), 'utf8')),
};

const VALID = {
  category: 'individual',
  name: '王小明',
  idNumber: 'A123456789',
  birthDate: '1980-05-17',
  phone: '0912-345-678',
  address: '臺北市中正區忠孝西路一段 1 號',
  password: 'Harbour2Light',
  passwordConfirm: 'Harbour2Light',
  email1: 'applicant@example.com.tw',
  email2: '',
  consent: 'yes',
};

/** One input per reason code of every field: what makes the validator give exactly that reason. */
const CASES: Record<string, Record<string, Record<string, string>>> = {
  category: { required: { category: '' }, invalid: { category: 'enterprise' } },
  name: { required: { name: '  ' }, too_long: { name: '王'.repeat(51) }, invalid_character: { name: '王\u0007明' } },
  idNumber: {
    required: { idNumber: '' },
    format: { idNumber: '12345' },
    checksum: { idNumber: 'A123456788' },
    business_id_not_allowed: { idNumber: '22099131' },
  },
  birthDate: {
    required: { birthDate: '' },
    format: { birthDate: 'May 17' },
    invalid_date: { birthDate: '1980-02-30' },
    in_future: { birthDate: '2999-01-01' },
    too_early: { birthDate: '1899-12-31' },
  },
  phone: { required: { phone: '' }, format: { phone: '123' }, too_long: { phone: `0912-345-678#${'1'.repeat(40)}` } },
  address: {
    required: { address: '' },
    too_long: { address: '路'.repeat(201) },
    invalid_character: { address: '臺北\u0007市' },
  },
  password: {
    required: { password: '', passwordConfirm: '' },
    too_short: { password: 'Ab1', passwordConfirm: 'Ab1' },
    too_long: { password: `Ab1${'x'.repeat(130)}`, passwordConfirm: `Ab1${'x'.repeat(130)}` },
    invalid_character: { password: 'Abcdefg1\u0007', passwordConfirm: 'Abcdefg1\u0007' },
    missing_digit: { password: 'Abcdefgh', passwordConfirm: 'Abcdefgh' },
    missing_upper: { password: 'abcdefg1', passwordConfirm: 'abcdefg1' },
    missing_lower: { password: 'ABCDEFG1', passwordConfirm: 'ABCDEFG1' },
    contains_id: { password: 'Xa123456789x', passwordConfirm: 'Xa123456789x' },
  },
  passwordConfirm: { required: { passwordConfirm: '' }, password_mismatch: { passwordConfirm: 'harbour2light' } },
  email1: {
    required: { email1: '' },
    too_long: { email1: `${'a'.repeat(250)}@example.com` },
    format: { email1: 'nope' },
  },
  email2: { too_long: { email2: `${'a'.repeat(250)}@example.com` }, format: { email2: 'nope@' } },
  consent: { required: { consent: '' } },
};

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function post(client: Browser, form: Record<string, string>) {
  const page = await client.get('/register/citizen');
  return client.post('/register/citizen', { _csrf: csrfFrom(page.body), ...form });
}

function summaryOf(html: string): string {
  return /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
}

t.test('every reason code of the registration validator has a case here', async (t) => {
  for (const [field, codes] of Object.entries(REGISTRATION_ERROR_CODES)) {
    for (const code of codes) t.ok(CASES[field]?.[code], `${field}.${code}`);
  }
});

for (const lang of ['zh-TW', 'en'] as const) {
  t.test(`every validator message is shown in the summary and at its field (${lang})`, async (t) => {
    for (const [field, codes] of Object.entries(CASES)) {
      for (const [code, change] of Object.entries(codes)) {
        // A browser per case: the form's POST is rate-limited per address.
        const client = new Browser(ctx.app, uniqueAddress());
        if (lang === 'en') client.cookies.set('lang', 'en');
        const res = await post(client, { ...VALID, ...change });
        const text = escapeHtml(messages[lang][field][code]);
        t.equal(res.statusCode, 400, `${field}.${code}: 400`);
        t.match(summaryOf(res.body), `<a href="#${field}">${text}</a>`, `${field}.${code} in the summary`);
        t.match(
          res.body,
          new RegExp(`<p class="field-error" id="${field}-error">[\\s\\S]*?${escapeRegExp(text)}</p>`),
          `${field}.${code} at the field`,
        );
        t.match(
          res.body,
          new RegExp(`id="${field}"[^>]*aria-invalid="true"|<fieldset aria-describedby="${field}-error"`),
          `${field} is marked invalid`,
        );
      }
    }
  });
}

t.test('all errors come together, in the order of the form', async (t) => {
  const res = await post(new Browser(ctx.app, uniqueAddress()), {});
  t.equal(res.statusCode, 400);
  const hrefs = [...summaryOf(res.body).matchAll(/href="#(\w+)"/g)].map((m) => m[1]);
  t.same(hrefs, [
    'category',
    'name',
    'idNumber',
    'birthDate',
    'phone',
    'address',
    'password',
    'passwordConfirm',
    'email1',
    'consent',
  ]);
  t.match(res.body, /<title>錯誤：/, 'the title says there is an error');
});

t.test('entered values are kept and the passwords are not', async (t) => {
  const res = await post(new Browser(ctx.app, uniqueAddress()), {
    ...VALID,
    category: 'customs_specialist',
    email2: 'second@',
    password: 'Secret9Word',
    passwordConfirm: 'Secret9Word',
  });
  t.equal(res.statusCode, 400);
  t.match(res.body, /value="customs_specialist" checked/);
  t.match(res.body, /id="name" name="name" type="text" value="王小明"/);
  t.match(res.body, /id="idNumber" name="idNumber" type="text" value="A123456789"/);
  t.match(res.body, /value="1980-05-17"/);
  t.match(res.body, /value="0912-345-678"/);
  t.match(res.body, /value="臺北市中正區忠孝西路一段 1 號"/);
  t.match(res.body, /value="applicant@example.com.tw"/);
  t.match(res.body, /value="second@"/);
  t.notMatch(res.body, /Secret9Word/);
  t.match(res.body, /id="password" name="password" type="password"\s+required/, 'the password field is empty');
});

t.test(
  'valid details without a signature are kept in the session, the password only as a hash, and lead to the certificate page',
  async (t) => {
    const client = new Browser(ctx.app, uniqueAddress());
    const res = await post(client, VALID);
    t.equal(res.statusCode, 303);
    t.equal(res.headers.location, '/register/citizen/certificate');
    const { rows } = await ctx.db.pool.query('SELECT sess FROM sessions ORDER BY expires_at DESC');
    const stored = rows.map((r) => JSON.stringify(r.sess)).find((s) => s.includes('registrationDraft'));
    t.ok(stored, 'the draft is in the session');
    t.notMatch(stored!, /Harbour2Light/, 'the password is not');
    t.match(stored!, /\$argon2id\$/, 'its hash is');
    const edit = await client.get('/register/citizen?edit=1');
    t.match(edit.body, /value="A123456789"/, '修改基本資料 shows the details again');
    t.notMatch(edit.body, /Harbour2Light/);
    const fresh = await client.get('/register/citizen');
    t.notMatch(fresh.body, /value="A123456789"/, 'the form itself starts empty');
  },
);

t.test('every broken password rule is shown at once: each in the summary, all together at the field', async (t) => {
  const res = await post(new Browser(ctx.app, uniqueAddress()), { ...VALID, password: 'abc', passwordConfirm: 'abc' });
  t.equal(res.statusCode, 400);
  const texts = ['too_short', 'missing_digit', 'missing_upper'].map((code) =>
    escapeHtml(messages['zh-TW'].password[code]),
  );
  for (const text of texts) t.match(summaryOf(res.body), `<a href="#password">${text}</a>`);
  t.match(
    res.body,
    new RegExp(
      `<p class="field-error" id="password-error"><span class="visually-hidden">錯誤：</span>${texts.map(escapeRegExp).join('<br>')}</p>`,
    ),
  );
  t.equal(res.body.match(/id="password-error"/g)?.length, 1, 'one message element, named once by aria-describedby');
});

t.test('the password hint names every rule the validator checks', async (t) => {
  const res = await new Browser(ctx.app, uniqueAddress()).get('/register/citizen');
  const hint = /<p class="hint" id="password-hint">([^<]*)<\/p>/.exec(res.body)?.[1] ?? '';
  for (const rule of [
    '大小寫不同',
    '至少8碼',
    '數字至少1碼',
    '大寫英文至少1碼',
    '小寫英文至少1碼',
    '128',
    '身分證號',
    '控制字元',
  ])
    t.match(hint, rule);
  const en = new Browser(ctx.app, uniqueAddress());
  en.cookies.set('lang', 'en');
  const enHint =
    /<p class="hint" id="password-hint">([^<]*)<\/p>/.exec((await en.get('/register/citizen')).body)?.[1] ?? '';
  for (const rule of [
    'Case-sensitive',
    'at least 8',
    '1 digit',
    'upper-case',
    'lower-case',
    '128',
    'ID number',
    'control characters',
  ])
    t.match(enHint, rule);
});

t.test(
  'the details page shows the personal data notice, links the full notice and asks for consent, unticked',
  async (t) => {
    const res = await new Browser(ctx.app, uniqueAddress()).get('/register/citizen');
    t.match(res.body, /<h2 id="consent-heading">個人資料蒐集告知<\/h2>/);
    t.match(res.body, /<p id="consent-summary">財政部關務署[^<]*身分證號[^<]*出生年月日[^<]*地址[^<]*第3條/);
    t.match(res.body, '<a href="/personal-data">閱讀完整的個資蒐集告知</a>');
    t.match(
      res.body,
      /<input type="checkbox" id="consent" name="consent" value="yes" required aria-required="true" aria-describedby="consent-summary">/,
      'not ticked in advance',
    );
    t.match(res.body, /<label for="consent">[\s\S]*我已閱讀並同意個資蒐集告知事項<\/label>/);
  },
);

t.test(
  'a form sent without consent is refused with the error at the top and at the box, every value kept',
  async (t) => {
    const { consent: _, ...withoutConsent } = VALID;
    const res = await post(new Browser(ctx.app, uniqueAddress()), withoutConsent);
    t.equal(res.statusCode, 400);
    const text = escapeHtml(messages['zh-TW'].consent.required);
    t.same(
      [...summaryOf(res.body).matchAll(/href="#(\w+)"/g)].map((m) => m[1]),
      ['consent'],
      'the only error',
    );
    t.match(res.body, new RegExp(`<p class="field-error" id="consent-error">[\\s\\S]*?${escapeRegExp(text)}</p>`));
    t.match(
      res.body,
      /id="consent" name="consent" value="yes" required aria-required="true" aria-invalid="true" aria-describedby="consent-summary consent-error"/,
    );
    t.match(res.body, /value="A123456789"/);
    t.match(res.body, /value="applicant@example.com.tw"/);
  },
);

t.test('a consent already given stays ticked while another field is corrected', async (t) => {
  const res = await post(new Browser(ctx.app, uniqueAddress()), { ...VALID, phone: '123' });
  t.equal(res.statusCode, 400);
  t.match(res.body, /id="consent" name="consent" value="yes" checked/);
});

t.test(
  'the JavaScript path (a signed form) without consent ends in the same refusal, before the signature is looked at',
  async (t) => {
    const { consent: _, ...withoutConsent } = VALID;
    const client = new Browser(ctx.app, uniqueAddress());
    const res = await post(client, {
      ...withoutConsent,
      nonce: 'x',
      signature: 'c2lnbmF0dXJl',
      certificate: 'Y2VydA',
      signatureType: 'PKCS7',
    });
    t.equal(res.statusCode, 400);
    t.same(
      [...summaryOf(res.body).matchAll(/href="#(\w+)"/g)].map((m) => m[1]),
      ['consent'],
    );
    t.equal(
      (await ctx.db.pool.query("SELECT count(*)::int AS n FROM accounts WHERE id_number = 'A123456789'")).rows[0].n,
      0,
    );
  },
);

t.test('each no-JS step shows its place: 步驟 1／4 and 下一步 on the details page', async (t) => {
  const res = await new Browser(ctx.app, uniqueAddress()).get('/register/citizen');
  t.match(
    res.body,
    /<p class="step-progress" id="step-progress"><span class="step-progress__count">步驟 1／4<\/span>\s*<span class="step-progress__name">填寫基本資料<\/span><\/p>/,
  );
  t.match(res.body, /<div id="nojs-buttons">[\s\S]*<button type="submit" name="action" value="next">下一步<\/button>/);
  const en = new Browser(ctx.app, uniqueAddress());
  en.cookies.set('lang', 'en');
  const enPage = await en.get('/register/citizen');
  t.match(enPage.body, /Step 1 of 4<\/span>\s*<span class="step-progress__name">Your details/);
  t.match(enPage.body, /value="next">Next<\/button>/);
});

t.test('the certificate page needs the details first', async (t) => {
  const res = await new Browser(ctx.app, uniqueAddress()).get('/register/citizen/certificate');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/register/citizen');
  const confirm = await new Browser(ctx.app, uniqueAddress()).get('/register/citizen/confirm');
  t.equal(confirm.headers.location, '/register/citizen');
  const done = await new Browser(ctx.app, uniqueAddress()).get('/register/citizen/done');
  t.equal(done.headers.location, '/register');
});

t.test('the citizen page shows every field of the seed, the password rule and the certificate part', async (t) => {
  const res = await new Browser(ctx.app, uniqueAddress()).get('/register/citizen');
  t.equal(res.statusCode, 200);
  for (const label of [
    '申請類別',
    '個人',
    '報關專責人員',
    '聯絡人姓名',
    '身分證號或統一編號',
    '檢核是否存在',
    '出生年月日',
    '聯絡電話',
    '聯絡地址',
    '設定登入密碼',
    '確認密碼',
    'Email1',
    'Email2',
    'PIN碼',
    '載入自然人憑證',
    '送出',
    '重填',
  ]) {
    t.match(res.body, label);
  }
  t.match(res.body, '密碼大小寫不同，包含長度至少8碼，數字至少1碼，大寫英文至少1碼，小寫英文至少1碼。');
  t.match(res.body, /<button type="reset"/);
  t.match(res.body, /<a href="\/register\/citizen">[^<]*清除/, 'a reset that works without JavaScript');
  t.match(res.body, /<button type="submit" name="action" value="check" id="check-id"/);
  t.match(res.body, /<section id="register-certificate"[^>]*hidden/, 'the certificate part waits for the script');
  t.notMatch(res.body, /<option|enterprise/, 'only the two citizen categories');
});

t.test('a business category on the citizen page goes to the business page', async (t) => {
  const res = await new Browser(ctx.app, uniqueAddress()).get('/register/citizen?category=shipping');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/register/business?category=shipping');
});

t.test(
  '檢核是否存在 without JavaScript re-renders the form with the answer, values kept and passwords not',
  async (t) => {
    await accountsRepository(ctx.db.pool).insert({
      category: 'individual',
      idNumber: 'F223456786',
      name: '林美華',
      birthDate: null,
      phone: null,
      address: null,
      email1: null,
      email2: null,
      passwordHash: null,
      status: 'active',
    });
    const client = new Browser(ctx.app, uniqueAddress());
    const registered = await post(client, { ...VALID, idNumber: 'f223456786', action: 'check', password: 'Keep0ut!x' });
    t.equal(registered.statusCode, 200);
    t.match(registered.body, /<p id="idNumber-check"[^>]*>此身分證號已註冊。<\/p>/);
    t.notMatch(registered.body, /林美華/, 'nothing else about the account');
    t.match(registered.body, /value="f223456786"/);
    t.match(registered.body, /value="王小明"/);
    t.notMatch(registered.body, /Keep0ut/);
    t.notMatch(registered.body, /error-summary/, 'a check is not a failed submit');

    const available = await post(client, { ...VALID, action: 'check' });
    t.match(available.body, /<p id="idNumber-check"[^>]*>此身分證號可註冊。<\/p>/);

    const wrong = await post(client, { ...VALID, idNumber: 'A123456788', action: 'check' });
    t.equal(wrong.statusCode, 400);
    t.match(summaryOf(wrong.body), /href="#idNumber"/);
    t.equal(
      (await ctx.db.pool.query("SELECT count(*)::int AS n FROM accounts WHERE id_number = 'A123456789'")).rows[0].n,
      0,
      'a check registers nothing',
    );
  },
);

t.test(
  '檢核是否存在 with JavaScript answers in JSON, says only registered or not, and needs the CSRF token',
  async (t) => {
    const client = new Browser(ctx.app, uniqueAddress());
    const page = await client.get('/register/citizen');
    const csrf = csrfFrom(page.body);
    const registered = await client.post('/register/citizen/check', { _csrf: csrf, idNumber: 'F223456786' });
    t.equal(registered.statusCode, 200);
    t.same(registered.json(), { status: 'registered', message: '此身分證號已註冊。' });
    t.equal(registered.headers['cache-control'], 'no-store');
    const available = await client.post('/register/citizen/check', { _csrf: csrf, idNumber: 'A123456789' });
    t.same(available.json(), { status: 'available', message: '此身分證號可註冊。' });
    const invalid = await client.post('/register/citizen/check', { _csrf: csrf, idNumber: '22099131' });
    t.equal(invalid.statusCode, 400);
    t.equal(invalid.json().status, 'invalid');
    t.match(invalid.json().message, /工商憑證/);
    const forged = await client.post('/register/citizen/check', { idNumber: 'A123456789' });
    t.equal(forged.statusCode, 403);
  },
);

t.test(
  `檢核是否存在 allows ${CHECKS_PER_MINUTE} checks a minute from one address, however they are asked`,
  async (t) => {
    const client = new Browser(ctx.app, uniqueAddress());
    const page = await client.get('/register/citizen');
    const csrf = csrfFrom(page.body);
    for (let i = 0; i < CHECKS_PER_MINUTE - 1; i++) {
      t.equal((await client.post('/register/citizen/check', { _csrf: csrf, idNumber: 'A123456789' })).statusCode, 200);
    }
    const last = await client.post('/register/citizen', { _csrf: csrf, ...VALID, action: 'check' });
    t.equal(last.statusCode, 200, 'the no-JS button counts against the same limit');
    const json = await client.post('/register/citizen/check', { _csrf: csrf, idNumber: 'A123456789' });
    t.equal(json.statusCode, 429);
    t.equal(json.json().status, 'limited');
    const button = await client.post('/register/citizen', { _csrf: csrf, ...VALID, action: 'check' });
    t.equal(button.statusCode, 429);
    t.match(button.body, /檢核次數過多/);
    t.match(button.body, /value="王小明"/, 'the form is still there, values kept');
    const elsewhere = new Browser(ctx.app, uniqueAddress());
    const other = await elsewhere.get('/register/citizen');
    t.equal(
      (await elsewhere.post('/register/citizen/check', { _csrf: csrfFrom(other.body), idNumber: 'A123456789' }))
        .statusCode,
      200,
      'another address is not limited',
    );
  },
);

t.test('the details form is refused without its CSRF token', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  await client.get('/register/citizen');
  const res = await client.post('/register/citizen', VALID);
  t.equal(res.statusCode, 403);
});
