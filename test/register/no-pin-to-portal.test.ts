// DESIGN.md §3.6: the PIN never reaches the portal. Walk every GET page the portal has (every route, in the states
// that show the most: anonymous, mid-registration with a verified card, after registering, logged in as a citizen
// and as an admin) and check that no form posting to the portal carries a field named pin.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';
import { buildRegisterApp, detailsFor } from './helpers';
import { accountsRepository } from '../../server/db/accounts-repository';
import { sessionCookieFor } from '../helpers/session';
import { SESSION_COOKIE } from '../../server/plugins/session';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const pki = demo.pki;
const ctx = await buildRegisterApp(demoCardVerifier(pki));
t.teardown(ctx.close);

/** Every GET route, from Fastify's own route tree. */
function getRoutes(app: FastifyInstance): string[] {
  const paths: string[] = [];
  const stack: Array<{ depth: number; path: string }> = [];
  for (const line of app.printRoutes({ commonPrefix: false, method: 'GET' }).split('\n')) {
    const m = /^([\s│├└─]*?)([^\s│├└─].*?) \((?:[A-Z]+(?:, )?)+\)$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    while (stack.length && stack[stack.length - 1].depth >= depth) stack.pop();
    const parent = stack.length ? stack[stack.length - 1].path : '';
    const segment = m[2];
    const path = parent === '' ? segment : parent === '/' ? `/${segment}` : `${parent}${segment}`;
    stack.push({ depth, path });
    paths.push(path);
  }
  return paths;
}

interface Finding {
  url: string;
  action: string;
}

const PORTAL = ctx.config.publicOrigin;

/** Forms of a page whose action is the portal (relative, empty, or the portal's origin) and that carry a pin field. */
function pinFormsToPortal(url: string, html: string): { findings: Finding[]; pinFields: number } {
  const findings: Finding[] = [];
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
  const isPortal = (action: string) =>
    action === '' || action.startsWith('/') || action.startsWith(PORTAL) || !/^[a-z]+:/i.test(action);
  const formAction = new Map<string, string>();
  for (const [, attrs, body] of forms) {
    const action = /\baction="([^"]*)"/i.exec(attrs)?.[1] ?? '';
    const id = /\bid="([^"]*)"/i.exec(attrs)?.[1];
    if (id) formAction.set(id, action);
    if (isPortal(action) && /<(input|select|textarea|button)\b[^>]*\bname="pin"/i.test(body))
      findings.push({ url, action });
  }
  // A field can also join a form elsewhere on the page with form="id".
  for (const [, owner] of html.matchAll(
    /<(?:input|select|textarea|button)\b(?=[^>]*\bname="pin")[^>]*\bform="([^"]+)"/gi,
  )) {
    if (isPortal(formAction.get(owner) ?? '')) findings.push({ url, action: `form=${owner}` });
  }
  const pinFields = [...html.matchAll(/\bname="pin"/gi)].length;
  return { findings, pinFields };
}

t.test('no form of the portal sends a PIN to the portal, on any page, in any state', async (t) => {
  // The people and states the walk uses.
  const anonymous = new Browser(ctx.app, uniqueAddress());
  const midway = new Browser(ctx.app, uniqueAddress());
  const wang = pki.card('wang-xiaoming');
  const form = await midway.get('/register/citizen');
  await midway.post('/register/citizen', { _csrf: csrfFrom(form.body), ...detailsFor(wang) });
  const certificatePage = await midway.get('/register/citizen/certificate');
  const { tbs, nonce } = challengeFrom(certificatePage.body);
  const back = await ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    remoteAddress: '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...signWithCard(pki, 'wang-xiaoming', tbs, nonce) }).toString(),
  });
  await midway.get(back.headers.location as string);
  t.equal((await midway.get('/register/citizen/confirm')).statusCode, 200, 'one browser stands on the confirm page');

  const registered = new Browser(ctx.app, uniqueAddress());
  const lin = pki.card('lin-meihua');
  const page = await registered.get('/register/citizen');
  const challenge = challengeFrom(page.body);
  const done = await registered.post('/register/citizen', {
    _csrf: csrfFrom(page.body),
    ...detailsFor(lin),
    ...signWithCard(pki, 'lin-meihua', challenge.tbs, challenge.nonce),
  });
  t.equal(done.statusCode, 303, 'one browser has just registered');

  const citizenAccount = (await accountsRepository(ctx.db.pool).findByIdNumber(lin.idNumber))!;
  const certificateId = (
    await ctx.db.pool.query('SELECT id FROM certificates WHERE account_id = $1', [citizenAccount.id])
  ).rows[0].id;
  const admin = (await accountsRepository(ctx.db.pool).insert({
    category: 'individual',
    role: 'admin',
    idNumber: 'B120000005',
    name: '管理員',
    birthDate: null,
    phone: null,
    address: null,
    email1: null,
    email2: null,
    passwordHash: null,
    status: 'active',
  }))!;
  const cookieValue = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1);
  const citizen = new Browser(ctx.app, uniqueAddress());
  citizen.cookies.set(
    SESSION_COOKIE,
    cookieValue(
      await sessionCookieFor(ctx.db.pool, {
        accountId: citizenAccount.id,
        name: citizenAccount.name,
        role: 'citizen',
        method: 'certificate',
      }),
    ),
  );
  const operator = new Browser(ctx.app, uniqueAddress());
  operator.cookies.set(
    SESSION_COOKIE,
    cookieValue(
      await sessionCookieFor(ctx.db.pool, {
        accountId: admin.id,
        name: admin.name,
        role: 'admin',
        method: 'certificate',
      }),
    ),
  );

  // Every GET route, parameters filled with real values; pages linked from the download list too.
  const routes = getRoutes(ctx.app).filter((p) => p !== '*' && !p.endsWith('*') && !p.includes(':lang'));
  const downloads = await anonymous.get('/downloads');
  const slugs = [...new Set([...downloads.body.matchAll(/href="\/downloads\/([a-z0-9-]+)"/g)].map((m) => m[1]))];
  const urls = new Set<string>();
  for (const route of routes) {
    if (route.includes(':slug')) {
      for (const slug of slugs) urls.add(route.replace(':slug', slug));
      continue;
    }
    urls.add(route.replace(':id', String(citizenAccount.id)).replace(':certificateId', String(certificateId)));
  }
  for (const extra of [
    '/register/citizen?category=customs_specialist',
    '/register/citizen?edit=1',
    '/register/business?category=enterprise',
    '/register/business?category=government',
    '/lang/en?next=%2Fregister',
  ])
    urls.add(extra);
  t.ok(urls.size >= 30, `walks ${urls.size} pages`);
  for (const required of [
    '/register',
    '/register/citizen',
    '/register/citizen/certificate',
    '/register/citizen/confirm',
    '/register/citizen/done',
    '/login',
    '/login/certificate',
    '/login/password',
  ]) {
    t.ok(urls.has(required), `${required} is walked`);
  }

  let htmlPages = 0;
  let pinFieldsSeen = 0;
  const findings: Finding[] = [];
  for (const client of [anonymous, midway, registered, citizen, operator]) {
    for (const url of urls) {
      const res = await client.get(url);
      t.ok(res.statusCode < 500, `${url}: ${res.statusCode}`);
      if (!String(res.headers['content-type'] ?? '').startsWith('text/html')) continue;
      htmlPages += 1;
      const found = pinFormsToPortal(url, res.body);
      findings.push(...found.findings);
      pinFieldsSeen += found.pinFields;
    }
  }
  t.ok(htmlPages >= 80, `${htmlPages} HTML pages read`);
  t.ok(pinFieldsSeen > 0, 'PIN fields exist (in forms to the local signer), so the check is not vacuous');
  t.same(findings, [], 'no PIN field in a form that posts to the portal');
});

t.test('the walk notices a PIN field in a form that posts to the portal', async (t) => {
  const bad = '<form method="post" action="/register/citizen"><input type="password" name="pin"></form>';
  t.equal(pinFormsToPortal('/x', bad).findings.length, 1);
  const joined = '<form id="f" action="/login/certificate"></form><input name="pin" form="f">';
  t.equal(pinFormsToPortal('/x', joined).findings.length, 1);
  const absolute = `<form action="${PORTAL}/signing/callback"><input name="pin"></form>`;
  t.equal(pinFormsToPortal('/x', absolute).findings.length, 1);
  const fine = '<form action="http://127.0.0.1:61161/nojs/sign"><input name="pin"></form>';
  t.equal(pinFormsToPortal('/x', fine).findings.length, 0);
});
