// One safe-redirect rule for the whole portal: only a plain local path of printable ASCII may follow
// ?next=, whether it is the language switch, a login, or the kiosk's idle warning. Anything else falls back.
import t from 'tap';
import { buildTestApp, Browser, csrfFrom } from '../helpers/app';
import { isSafeLocalPath, safeLocalPath, LOCAL_PATH_MAX } from '../../server/safe-redirect';
import { accountsRepository } from '../../server/db/accounts-repository';
import { hashPassword } from '../../server/auth/passwords';

const SAFE = [
  '/',
  '/downloads',
  '/admin/accounts?status=active&sort=oldest',
  '/services/without-certificate#top',
  '/a%2F%2Fb',
  `/${'a'.repeat(LOCAL_PATH_MAX - 1)}`,
];

// Each one is read by some browser as another site, or is a header Node refuses to send.
const UNSAFE: Array<[string, unknown]> = [
  ['a tab after the slash', '/\t/evil.example/'],
  ['a tab in the middle', '/a\tb'],
  ['two slashes', '//evil.example/'],
  ['slash backslash', '/\\evil.example/'],
  ['a backslash later on', '/a\\b'],
  ['CR/LF (header splitting)', '/a\r\nSet-Cookie: x=1'],
  ['a newline after the slash', '/\n/evil.example'],
  ['a space', '/a b'],
  ['NUL', '/a\0b'],
  ['DEL', '/a\x7f'],
  ['non-ASCII', '/中文'],
  ['a lone surrogate', '/\ud800'],
  ['a full URL', 'https://evil.example/'],
  ['a scheme-relative URL', '\\\\evil.example'],
  ['javascript:', 'javascript:alert(1)'],
  ['a relative path', 'downloads'],
  ['empty', ''],
  ['too long', `/${'a'.repeat(LOCAL_PATH_MAX)}`],
  ['an array', ['/a', '/b']],
  ['an object', { toString: () => '/a' }],
  ['undefined', undefined],
];

t.test('a plain local path of printable ASCII is kept', async (t) => {
  for (const path of SAFE) {
    t.ok(isSafeLocalPath(path), path.slice(0, 60));
    t.equal(safeLocalPath(path, '/fallback'), path);
  }
});

t.test('anything that is not a plain local path falls back', async (t) => {
  for (const [label, raw] of UNSAFE) {
    t.notOk(isSafeLocalPath(raw), label);
    t.equal(safeLocalPath(raw, '/fallback'), '/fallback', label);
  }
});

const ctx = await buildTestApp();
t.teardown(ctx.close);

// What ?next= looks like in a link that tries one of the tricks above.
const ATTACKS: Array<[string, string]> = [
  ['a tab before a second slash', '/%09/evil.example/'],
  ['two slashes', '//evil.example/'],
  ['slash backslash', '/%5Cevil.example/'],
  ['a raw backslash', '/\\evil.example/'],
  ['CR/LF', '/a%0D%0ASet-Cookie:%20x=1'],
  ['a newline before a second slash', '/%0A/evil.example/'],
  ['non-ASCII', '/%E4%B8%AD%E6%96%87'],
  ['a full URL', 'https%3A%2F%2Fevil.example%2F'],
  ['two values', '/a&next=//evil.example/'],
];

t.test('the language switch sends every unsafe next to the home page', async (t) => {
  for (const [label, next] of ATTACKS) {
    const res = await ctx.app.inject({ url: `/lang/en?next=${next}` });
    t.equal(res.statusCode, 303, label);
    t.equal(res.headers.location, '/', label);
  }
});

t.test('the language switch keeps a local path with its query string', async (t) => {
  const res = await ctx.app.inject({
    url: `/lang/en?next=${encodeURIComponent('/admin/accounts?status=active&sort=oldest')}`,
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/accounts?status=active&sort=oldest');
});

t.test('a login never returns to an unsafe next', async (t) => {
  const password = 'Correct1Horse';
  await accountsRepository(ctx.db.pool).insert({
    category: 'individual',
    idNumber: 'A123456789',
    name: '王小明',
    birthDate: '1980-05-17',
    phone: '0912345678',
    address: '臺北市中正區',
    email1: 'a@example.tw',
    email2: null,
    passwordHash: await hashPassword(password),
    status: 'active',
  });
  for (const [label, next] of ATTACKS) {
    const browser = new Browser(ctx.app);
    t.equal((await browser.get(`/login?next=${next}`)).statusCode, 200, label);
    const form = await browser.get('/login/password');
    const res = await browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber: 'A123456789', password });
    t.equal(res.statusCode, 303, label);
    t.equal(res.headers.location, '/account', label);
  }
});

t.test("the kiosk's idle warning links only to a local path", async (t) => {
  const password = 'Correct1Horse';
  await accountsRepository(ctx.db.pool).insert({
    category: 'individual',
    idNumber: 'B120000005',
    name: '王小明',
    birthDate: '1980-05-17',
    phone: '0912345678',
    address: '臺北市中正區',
    email1: 'b@example.tw',
    email2: null,
    passwordHash: await hashPassword(password),
    status: 'active',
  });
  const browser = new Browser(ctx.app);
  const form = await browser.get('/login/password');
  await browser.post('/login/password', { _csrf: csrfFrom(form.body), idNumber: 'B120000005', password });
  for (const [label, next] of ATTACKS) {
    const res = await browser.get(`/logout/warning?next=${next}`);
    t.equal(res.statusCode, 200, label);
    t.match(res.body, /<a class="button" href="\/account">/, label);
  }
});
