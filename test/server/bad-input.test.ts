// Bad input is a 400 page, never a 5xx: NUL bytes and escapes that are not UTF-8 in any query
// string, path or form body; bodies that are not forms; admin dates and cursors PostgreSQL would refuse. One test per
// class, then every registered POST route walked with each kind of bad body. (The checks themselves: input.test.ts.)
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { createAccount, createCast, csrfTokenFor } from '../admin/fixtures';
import { postRoutes as allPostRoutes } from '../helpers/routes';

const ctx = await buildTestApp();
t.teardown(ctx.close);
const pool = ctx.db.pool;
const cast = await createCast(pool);
const target = await createAccount(pool, { name: '受測帳號' });

const BAD_REQUEST_ZH = /<h1>要求格式錯誤<\/h1>/;

function isBadRequestPage(t: Test, res: LightMyRequestResponse, label: string) {
  t.equal(res.statusCode, 400, `${label}: 400`);
  t.match(res.headers['content-type'], /text\/html/, `${label}: an HTML page`);
  t.match(res.body, BAD_REQUEST_ZH, `${label}: the bad-request page`);
}

const get = (url: string, cookie = cast.cookies.admin) =>
  ctx.app.inject({ url, remoteAddress: uniqueAddress(), headers: { cookie } });

const post = (
  url: string,
  cookie: string,
  payload: string | Buffer,
  contentType = 'application/x-www-form-urlencoded',
) =>
  ctx.app.inject({
    method: 'POST',
    url,
    remoteAddress: uniqueAddress(),
    headers: { cookie, 'content-type': contentType },
    payload,
  });

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

t.test('a NUL in a path or a query string is the 400 page, before any query reaches PostgreSQL', async (t) => {
  for (const url of [
    '/downloads/%00',
    '/downloads/%00/file',
    '/signing/complete?code=%00',
    '/register/citizen?category=%00',
    '/login?next=/%00',
    '/lang/en?next=%00',
    '/admin/accounts?q=%00',
    '/admin/accounts?status=active&q=a%00b',
    '/admin/accounts.csv?q=%00',
    '/admin/audit?actor=%00',
    '/admin/audit?action=%00',
    `/admin/accounts/${target.id}%00`,
    '/no-such-page?x=%00',
  ]) {
    isBadRequestPage(t, await get(url), url);
  }
});

t.test('a query string with an escape that is not UTF-8 is the 400 page', async (t) => {
  for (const url of [
    '/admin/accounts?q=%FF',
    '/admin/audit?actor=%ED%A0%80',
    '/signing/complete?code=%E4%B8',
    '/downloads?x=%',
  ]) {
    isBadRequestPage(t, await get(url), url);
  }
});

t.test('the 400 page is in English with the language cookie', async (t) => {
  const res = await ctx.app.inject({ url: '/downloads/%00', cookies: { lang: 'en' } });
  t.equal(res.statusCode, 400);
  t.match(res.body, /<h1>Bad request<\/h1>/);
});

t.test('a NUL in a form field is the 400 page, with or without a valid CSRF token', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const page = await browser.get('/register/citizen?category=individual');
  const csrf = csrfFrom(page.body);
  for (const [url, fields] of [
    ['/register/citizen', { _csrf: csrf, action: 'check', category: 'individual', idNumber: '\0' }],
    ['/register/citizen/check', { _csrf: csrf, idNumber: 'A12345678\0' }],
    ['/login/password', { _csrf: csrf, idNumber: '\0', password: 'Correct1Horse' }],
    ['/signing/callback', { nonce: '\0', signature: 'x', certificate: 'y' }],
    ['/register', { _csrf: '\0', category: 'individual' }],
  ] as const) {
    isBadRequestPage(t, await browser.post(url, fields), url);
  }
  const csrfAdmin = await csrfTokenFor(ctx.app, cast.cookies.admin);
  for (const action of ['suspend', 'full-id']) {
    const url = `/admin/accounts/${target.id}/${action}`;
    isBadRequestPage(t, await post(url, cast.cookies.admin, form({ _csrf: csrfAdmin, reason: 'because\0' })), url);
  }
});

t.test('a form body with an escape that is not UTF-8 is the 400 page', async (t) => {
  const csrf = await csrfTokenFor(ctx.app, cast.cookies.admin);
  const res = await post(
    `/admin/accounts/${target.id}/suspend`,
    cast.cookies.admin,
    `_csrf=${encodeURIComponent(csrf)}&reason=%FF%FE`,
  );
  isBadRequestPage(t, res, 'reason=%FF%FE');
  const account = await pool.query('SELECT status FROM accounts WHERE id = $1', [target.id]);
  t.equal(account.rows[0].status, 'active', 'nothing was done');
});

t.test(
  'form routes take only application/x-www-form-urlencoded: JSON, text and multipart are refused with a page',
  async (t) => {
    const csrf = await csrfTokenFor(ctx.app, cast.cookies.admin);
    const url = `/admin/accounts/${target.id}/suspend`;
    const bodies: Array<[string, string]> = [
      ['application/json', JSON.stringify({ _csrf: csrf, reason: { toString: 1 } })],
      ['application/json; charset=utf-8', JSON.stringify({ _csrf: csrf, reason: 'a reason' })],
      ['text/plain', `_csrf=${csrf}&reason=a+reason`],
      [
        'multipart/form-data; boundary=X',
        `--X\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--X\r\nContent-Disposition: form-data; name="reason"\r\n\r\nr\r\n--X--\r\n`,
      ],
      ['application/xml', '<reason>a reason</reason>'],
    ];
    for (const [type, payload] of bodies) {
      const res = await post(url, cast.cookies.admin, payload, type);
      t.equal(res.statusCode, 415, type);
      t.match(res.headers['content-type'], /text\/html/, `${type}: an HTML page`);
      t.match(res.body, BAD_REQUEST_ZH, `${type}: the bad-request page`);
    }
    const noType = await ctx.app.inject({
      method: 'POST',
      url,
      remoteAddress: uniqueAddress(),
      headers: { cookie: cast.cookies.admin },
      payload: `_csrf=${csrf}&reason=r`,
    });
    t.equal(noType.statusCode, 415, 'a body without a content type');
    const account = await pool.query('SELECT status FROM accounts WHERE id = $1', [target.id]);
    t.equal(account.rows[0].status, 'active', 'none of them suspended the account');
  },
);

t.test(
  'a JSON login with an object where text belongs is refused, not a 500 (String({toString:1}) throws)',
  async (t) => {
    const browser = new Browser(ctx.app, uniqueAddress());
    const page = await browser.get('/login/password');
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/login/password',
      remoteAddress: uniqueAddress(),
      headers: { cookie: browser.cookieHeader, 'content-type': 'application/json' },
      payload: JSON.stringify({ _csrf: csrfFrom(page.body), idNumber: { toString: 1 }, password: { toString: 1 } }),
    });
    t.equal(res.statusCode, 415);
  },
);

t.test("the page script's 檢核是否存在 still works: it posts a form and reads JSON back", async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const page = await browser.get('/register/citizen?category=individual');
  const res = await browser.post(
    '/register/citizen/check',
    { _csrf: csrfFrom(page.body), idNumber: 'A123456789' },
    { accept: 'application/json' },
  );
  t.equal(res.statusCode, 200);
  t.equal(JSON.parse(res.body).status, 'available');
});

t.test('CSRF still guards every form POST: the token comes only from a form body', async (t) => {
  const browser = new Browser(ctx.app, uniqueAddress());
  const page = await browser.get('/register');
  t.equal((await browser.post('/register', { category: 'individual' })).statusCode, 403, 'no token');
  t.equal(
    (await browser.post('/register', { _csrf: 'forged', category: 'individual' })).statusCode,
    403,
    'a wrong token',
  );
  const csrf = csrfFrom(page.body);
  t.equal(
    (await browser.post('/register', { _csrf: csrf, category: 'individual' })).statusCode,
    303,
    'the right token',
  );
  const twice = await ctx.app.inject({
    method: 'POST',
    url: '/register',
    remoteAddress: uniqueAddress(),
    headers: { cookie: browser.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
    payload: `_csrf=${encodeURIComponent(csrf)}&_csrf=${encodeURIComponent(csrf)}&category=individual`,
  });
  t.ok(twice.statusCode >= 400 && twice.statusCode < 500, `a repeated token is refused (${twice.statusCode})`);
});

t.test('admin dates need a year PostgreSQL has: 0000 is a field error on the list and the audit log', async (t) => {
  for (const url of [
    '/admin/accounts?from=0000-01-01',
    '/admin/accounts?to=0000%2F12%2F31',
    '/admin/audit?from=0000-01-01',
    '/admin/audit?to=0000-12-31',
  ]) {
    const res = await get(url);
    t.equal(res.statusCode, 400, url);
    t.match(res.body, /<a href="#(from|to)">/, `${url}: in the error summary`);
  }
  const csrf = await csrfTokenFor(ctx.app, cast.cookies.admin);
  const csv = await post(
    '/admin/accounts.csv',
    cast.cookies.admin,
    new URLSearchParams({ _csrf: csrf, from: '0000-01-01' }).toString(),
  );
  t.equal(csv.statusCode, 200, 'the export ignores a date it cannot use');
});

t.test('a cursor of the right shape but not a real time is no cursor: never sent to PostgreSQL', async (t) => {
  const fakes = [
    '2026-13-45 99:99:99+08',
    '0000-01-01 00:00:00+08',
    '2026-02-30 00:00:00+08',
    '2026-10-01 24:00:00+08',
    '2026-10-01 00:60:00+08',
    '2026-10-01 00:00:60+08',
    '2026-10-01 00:00:00+16',
    '2026-10-01 00:00:00+08:60',
  ];
  for (const fake of fakes) {
    const cursor = Buffer.from(JSON.stringify([fake, 1])).toString('base64url');
    for (const key of ['after', 'before']) {
      const res = await get(`/admin/accounts?${key}=${cursor}`);
      t.equal(res.statusCode, 200, `${key}=${fake}: the first page, not an error from PostgreSQL`);
    }
  }
});

/** Every POST route the app has, with path parameters filled in. */
function postRoutes(): string[] {
  return allPostRoutes(ctx.app).map((route) => route.replace(':id', String(target.id)).replace(':certificateId', '1'));
}

t.test('every POST route answers each kind of bad body with a 4xx page, never a 5xx', async (t) => {
  const routes = postRoutes();
  t.ok(routes.length >= 15, `found ${routes.length} POST routes`);
  t.ok(
    routes.includes('/register/citizen/check') && routes.includes('/signing/callback'),
    'including the script and signer ones',
  );
  const csrf = await csrfTokenFor(ctx.app, cast.cookies.admin);
  const fields = [
    'idNumber',
    'password',
    'passwordConfirm',
    'reason',
    'category',
    'name',
    'nonce',
    'signature',
    'certificate',
    'code',
  ];
  const all = <T>(value: T) => Object.fromEntries(fields.map((name) => [name, value])) as Record<string, T>;
  const bodies: Array<{ label: string; type: string; payload: string; expect?: number }> = [
    { label: 'JSON', type: 'application/json', payload: JSON.stringify({ _csrf: csrf, ...all('x') }), expect: 415 },
    {
      label: 'JSON with objects',
      type: 'application/json',
      payload: JSON.stringify({ _csrf: csrf, ...all({ toString: 1 }) }),
      expect: 415,
    },
    {
      label: 'multipart',
      type: 'multipart/form-data; boundary=X',
      expect: 415,
      payload: `--X\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--X--\r\n`,
    },
    {
      label: 'a NUL value',
      type: 'application/x-www-form-urlencoded',
      payload: form({ _csrf: csrf, ...all('a\0') }),
      expect: 400,
    },
    {
      label: 'object-ish names',
      type: 'application/x-www-form-urlencoded',
      payload: `_csrf=${encodeURIComponent(csrf)}&${fields.map((name) => `${name}[toString]=1&${name}[]=1&${name}=a&${name}=b`).join('&')}`,
    },
    {
      label: 'a repeated CSRF token',
      type: 'application/x-www-form-urlencoded',
      payload: `_csrf=${encodeURIComponent(csrf)}&_csrf=x&${form(all('x'))}`,
    },
  ];
  for (const route of routes) {
    for (const body of bodies) {
      const res = await post(route, cast.cookies.admin, body.payload, body.type);
      const label = `${route} with ${body.label}: ${res.statusCode}`;
      t.ok(res.statusCode < 500, label);
      if (body.expect) t.equal(res.statusCode, body.expect, label);
      if (res.headers.location) t.match(res.headers.location, /^\/(?![/\\])/, `${label}: stays on the site`);
    }
  }
});
