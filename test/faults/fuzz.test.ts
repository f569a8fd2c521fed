// Fuzzing the real portal process: every POST route gets FUZZ_COUNT (10,000 by default) random and
// mutated bodies, with a real session and CSRF token so most of them reach the handlers, and real demo-card
// signatures over fresh challenges, broken, in the signing fields. No answer may be a 5xx other than the planned 503,
// the process must stay up, every request must be answered within a bound, and it must not leak: what it holds after a
// full garbage collection (heap in use plus Buffers, read over the inspector) must stop growing once the run has filled
// its bounded caches (the rate limiter's per-address counts, the parsed-certificate cache): a second, shorter pass of
// new bodies may not grow it by more than 5%. RSS is printed, not judged: it keeps the allocator's high-water mark,
// and it grew with the number of routes (+14% with 21 routes, +26–33% with 32–35) while the held memory did not.
// FUZZ_SEED replays a run; the seed is printed.
import t from 'tap';
import { randomInt, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildTestApp, csrfFrom } from '../helpers/app';
import { challengeFrom } from '../helpers/demo-cards';
import { LoopbackClient, NoAnswerError, type Answer } from '../helpers/loopback-client';
import { startPortalProcess, type PortalProcess } from '../helpers/portal-process';
import { postRoutes } from '../helpers/routes';
import { sessionCookieFor } from '../helpers/session';
import { createAccount, bindCertificate } from '../admin/fixtures';
import { SESSION_COOKIE } from '../../server/plugins/session';
import { createCmsSignature } from '../helpers/cms-sign';
import { openPkcs12 } from '../../demo-pki/pkcs12';
import {
  bodySeed,
  fuzzBody,
  pickKind,
  prng,
  Random,
  type CardKeys,
  type FuzzContext,
  type SigningContext,
} from './fuzz-bodies';

const COUNT = Number(process.env.FUZZ_COUNT || 10_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY || 16);
/**
 * Per route, before the RSS baseline: the portal's pools, compiled templates and JIT have settled by then. At least
 * 300 even for a short run (FUZZ_COUNT=50), whose baseline would otherwise be a process still starting up.
 */
const WARMUP = Math.max(300, Math.min(500, Math.ceil(COUNT / 10)));
/** No hang: a request not answered in this time fails the run (the slowest honest one is an argon2 check under load). */
const ANSWER_BOUND_MS = 20_000;
/** Requests per connection before the client moves to another loopback address (see loopback-client.ts). */
const REQUESTS_PER_ADDRESS = 4;
const BODY_LIMIT = 256 * 1024;
/** The heading of the 400 page the input checks answer with, before any route runs. */
const BAD_REQUEST_PAGE = Buffer.from('<h1>要求格式錯誤</h1>');

process.stdout.write(
  `# fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays it), ${COUNT} bodies per route, ${CONCURRENCY} clients\n`,
);

// The route list comes from the app's own route tree, so a new POST route is fuzzed without anyone remembering to.
const routeTree = await buildTestApp();
const ROUTES = postRoutes(routeTree.app);
await routeTree.close();

const portal: PortalProcess = await startPortalProcess(
  {
    // High enough that the global limit is not what the fuzz measures; the per-route ones are met by moving address.
    RATE_LIMIT_PER_MINUTE: '100000',
    BODY_LIMIT_BYTES: String(BODY_LIMIT),
  },
  { inspect: true },
);
t.teardown(async () => {
  if (portal.alive()) await portal.stop();
});

// The accounts the admin routes act on, and the logged-in users.
const pool = portal.db.pool;
const target = await createAccount(pool, {
  name: '受測帳號',
  status: 'pending_review',
  category: 'customs_specialist',
});
const targetCertificate = await bindCertificate(pool, target.id);
const citizen = await createAccount(pool, { name: '林民眾', passwordHash: null });
const admin = await createAccount(pool, { name: '張管理', role: 'admin' });

/** The demo cards' keys, opened once from their PKCS#12 files with their PINs, as the local signer would. */
const cards: CardKeys[] = portal.pki.cards.map((card) => {
  const entry = openPkcs12(readFileSync(card.p12Path), card.pin).find((e) => e.certDer?.equals(card.signingCertDer));
  if (!entry?.privateKey) throw new Error(`no signing key on demo card ${card.id}`);
  const key = entry.privateKey;
  return {
    signingCertDer: card.signingCertDer,
    encryptionCertDer: card.encryptionCertDer,
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    certificatePem: `-----BEGIN CERTIFICATE-----\n${card.signingCertDer
      .toString('base64')
      .match(/.{1,64}/g)!
      .join('\n')}\n-----END CERTIFICATE-----\n`,
    signPkcs1: (tbs: string) => sign('sha256', Buffer.from(tbs, 'utf8'), key),
  };
});
const cmsSamples = cards.map((card) =>
  createCmsSignature({
    content: 'not this challenge',
    certificatePem: card.certificatePem,
    privateKeyPem: card.privateKeyPem,
  }),
);
const otherCerts = [portal.pki.rootDer, ...portal.pki.intermediates.map((i) => i.certDer)];
const demoCard = portal.pki.cards[0];

/** Values that pass each form's validation, so some bodies reach the code behind it. */
const GOOD_VALUES: Record<string, string> = {
  category: 'individual',
  name: demoCard.holderName,
  idNumber: demoCard.idNumber,
  birthDate: '1980-05-17',
  phone: '0912345678',
  address: '臺北市中正區重慶南路一段122號',
  email1: 'fuzz@example.tw',
  email2: '',
  password: 'Correct1Horse',
  passwordConfirm: 'Correct1Horse',
  // 個資蒐集告知: without it the registering session's details step is refused and its steps have nothing to work on.
  consent: 'yes',
  currentPassword: 'Correct1Horse',
  newPassword: 'Better2Horse',
  newPasswordConfirm: 'Better2Horse',
  reason: '模糊測試的理由',
  action: 'next',
  confirm: '1',
  q: '王',
  status: 'active',
  from: '2020-01-01',
  to: '2030-12-31',
  next: '/account',
  code: 'x',
};

type SessionKind = 'anonymous' | 'registering' | 'citizen' | 'admin';

interface RouteSetup {
  session: SessionKind;
  /** A GET page whose forms name the route's fields and carry a CSRF token. */
  formPage: string;
  /** Where a fresh challenge comes from, for routes that take a signature. */
  challengePage?: string;
}

/** What a route needs beyond its defaults (an anonymous session; the form on its own GET page, or on /admin). */
const SETUPS: Record<string, Partial<RouteSetup>> = {
  '/signing/callback': { formPage: '/login/certificate', challengePage: '/login/certificate' },
  '/login/certificate': { challengePage: '/login/certificate' },
  '/login/certificate/confirm': { formPage: '/login/certificate' },
  '/login/rebind': { formPage: '/login/password' },
  // The choice pages answer only while a card waits for its choice: their forms' token is any login page's.
  '/login/certificate/choose': { formPage: '/login/organisation-certificate' },
  '/login/rebind/choose': { formPage: '/login/organisation-certificate' },
  '/login/forgot-password/choose': { formPage: '/login/forgot-password' },
  '/login/unlock/choose': { formPage: '/login/unlock' },
  // The page script's card check: any certificate page's token and challenge.
  '/signing/card-check': { formPage: '/login/certificate', challengePage: '/login/certificate' },
  '/login/forgot-password': { challengePage: '/login/forgot-password' },
  '/login/forgot-password/new': { formPage: '/login/forgot-password' },
  '/login/unlock': { challengePage: '/login/unlock' },
  '/login/unlock/confirm': { formPage: '/login/unlock' },
  '/logout': { session: 'citizen', formPage: '/account' },
  '/account/password': { session: 'citizen', formPage: '/account' },
  '/register': { formPage: '/register' },
  '/register/citizen': {
    formPage: '/register/citizen?category=individual',
    challengePage: '/register/citizen?category=individual',
  },
  '/register/citizen/check': { formPage: '/register/citizen?category=individual' },
  '/register/citizen/certificate': { session: 'registering', challengePage: '/register/citizen/certificate' },
  '/register/citizen/confirm': { session: 'registering', formPage: '/register/citizen/certificate' },
  // A company's steps: the certificate page of a category names the registration (the POSTs without it go back).
  '/register/organisation/certificate': {
    formPage: '/register/organisation/certificate?category=enterprise',
    challengePage: '/register/organisation/certificate?category=enterprise',
  },
  '/register/organisation': { formPage: '/register/organisation/certificate?category=enterprise' },
  '/register/organisation/confirm': { formPage: '/register/organisation/certificate?category=enterprise' },
  '/admin/accounts.csv': { formPage: '/admin/accounts' },
  '/admin/audit/verify': { formPage: '/admin/audit' },
  '/admin/accounts/:id/certificates/:certificateId/unbind': { formPage: '/admin/accounts/:id' },
  '/admin/accounts/:id/full-id': { formPage: '/admin/accounts/:id' },
};

const fill = (pattern: string) =>
  pattern.replace(':id', String(target.id)).replace(':certificateId', String(targetCertificate.id));

function setupFor(route: string): RouteSetup {
  const given = SETUPS[route] ?? {};
  const session = given.session ?? (route.startsWith('/admin') ? 'admin' : 'anonymous');
  return {
    session,
    formPage: fill(given.formPage ?? route),
    challengePage: given.challengePage && fill(given.challengePage),
  };
}

/** The field names of the forms on a page that post to `action` (all forms' fields when none does). */
function formFields(html: string, action: string): string[] {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)];
  const names = (body: string) =>
    [...body.matchAll(/<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"/g)].map((m) => m[1]);
  const own = forms.filter((f) => /action="([^"]*)"/.exec(f[1])?.[1]?.split('?')[0] === action);
  const fields = new Set((own.length ? own : forms).flatMap((f) => names(f[2])));
  fields.delete('_csrf');
  return [...fields];
}

interface Counts {
  byClass: Record<string, number>;
  byStatus: Record<number, number>;
  socketErrors: number;
  timeouts: number;
  setupRequests: number;
  fiveHundreds: string[];
  slowestMs: number;
  /** answered by the route itself: not refused before it (CSRF, content type, size, rate, the bad-request page) */
  reachedRoute: number;
}

const newCounts = (): Counts => ({
  byClass: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
  byStatus: {},
  socketErrors: 0,
  timeouts: 0,
  setupRequests: 0,
  fiveHundreds: [],
  slowestMs: 0,
  reachedRoute: 0,
});

/** One fuzzing client: a browser's session and CSRF token of the route's kind, renewed when a body ends the session. */
class FuzzClient {
  private cookie = '';
  private csrf: string | undefined;
  private fields: string[] = [];
  private stale = true;
  readonly http = new LoopbackClient(portal.port, REQUESTS_PER_ADDRESS, ANSWER_BOUND_MS);

  constructor(
    private readonly route: string,
    private readonly setup: RouteSetup,
    private readonly counts: Counts,
  ) {}

  private async get(path: string): Promise<Answer> {
    this.counts.setupRequests += 1;
    const answer = await this.http.send('GET', path, { cookie: this.cookie, accept: 'text/html' });
    this.remember(answer);
    if (answer.status >= 500) this.counts.fiveHundreds.push(`setup GET ${path}: ${answer.status}`);
    return answer;
  }

  /** Keeps a new session cookie as a browser would; a changed one means the CSRF token must be fetched again. */
  private remember(answer: Answer): void {
    for (const line of answer.headers['set-cookie'] ?? []) {
      const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(line);
      if (!match) continue;
      const next = match[1] ? `${SESSION_COOKIE}=${match[1]}` : '';
      if (next !== this.cookie) {
        this.cookie = next;
        this.stale = true;
      }
    }
  }

  private async startSession(): Promise<void> {
    this.cookie = '';
    if (this.setup.session === 'citizen')
      this.cookie = await sessionCookieFor(pool, {
        accountId: citizen.id,
        name: citizen.name,
        role: 'citizen',
        method: 'password',
      });
    if (this.setup.session === 'admin')
      this.cookie = await sessionCookieFor(pool, {
        accountId: admin.id,
        name: admin.name,
        role: 'admin',
        method: 'certificate',
      });
    if (this.setup.session === 'registering') {
      // The details step done, so the certificate and confirm steps have a registration to work on.
      const page = await this.get('/register/citizen?category=individual');
      const form = new URLSearchParams({
        _csrf: csrfFrom(page.body.toString()),
        ...GOOD_VALUES,
        idNumber: demoCard.idNumber,
        name: demoCard.holderName,
      });
      const done = await this.http.send(
        'POST',
        '/register/citizen',
        { cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        Buffer.from(form.toString()),
      );
      this.counts.setupRequests += 1;
      this.remember(done);
    }
    const page = await this.get(this.setup.formPage);
    const html = page.body.toString();
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    this.fields = formFields(html, this.route.replace(/\?.*/, ''));
    if (this.fields.length === 0) this.fields = Object.keys(GOOD_VALUES).slice(0, 6);
    this.stale = false;
  }

  async send(index: number, seed: number): Promise<void> {
    if (this.stale) await this.startSession();
    const r = new Random(prng(bodySeed(seed, this.route, index)));
    let kind = pickKind(r, this.setup.challengePage !== undefined);
    let signing: SigningContext | undefined;
    if (kind === 'signing') {
      const page = await this.get(this.setup.challengePage!);
      try {
        signing = { ...challengeFrom(page.body.toString()), cards, otherCerts, cmsSamples };
      } catch {
        kind = 'form'; // this session cannot have a challenge now (its registration step was undone by a body)
      }
    }
    const ctx: FuzzContext = {
      csrf: this.csrf,
      fields: this.fields,
      goodValues: GOOD_VALUES,
      bodyLimit: BODY_LIMIT,
      signing,
    };
    const body = fuzzBody(r, ctx, kind);
    const headers: Record<string, string> = {};
    // Mostly this client's session; sometimes none, or one that is not the portal's.
    const cookieRoll = r.int(20);
    headers.cookie =
      cookieRoll === 0
        ? ''
        : cookieRoll === 1
          ? `${SESSION_COOKIE}=${r.pick(['garbage', 's%3Aforged.sig', '%FF', 'a'.repeat(4000)])}`
          : this.cookie;
    if (body.contentType !== undefined) headers['content-type'] = body.contentType;
    const path = fill(this.route);
    try {
      const answer = await this.http.send('POST', path, headers, body.payload);
      const cls = `${Math.floor(answer.status / 100)}xx`;
      this.counts.byClass[cls] = (this.counts.byClass[cls] ?? 0) + 1;
      this.counts.byStatus[answer.status] = (this.counts.byStatus[answer.status] ?? 0) + 1;
      this.counts.slowestMs = Math.max(this.counts.slowestMs, answer.ms);
      if (answer.status >= 500 && answer.status !== 503) {
        this.counts.fiveHundreds.push(`${path} #${index} (${body.kind}): ${answer.status}`);
      }
      if (
        ![403, 413, 415, 429].includes(answer.status) &&
        !(answer.status === 400 && answer.body.includes(BAD_REQUEST_PAGE))
      )
        this.counts.reachedRoute += 1;
      if (headers.cookie === this.cookie) this.remember(answer);
    } catch (error) {
      if (!(error instanceof NoAnswerError)) throw error;
      if (error.kind === 'timeout') {
        this.counts.timeouts += 1;
        this.counts.fiveHundreds.push(`${path} #${index} (${body.kind}): ${error.message}`);
      } else {
        // The portal may answer 413 and close before a body over the limit is all sent: the client then sees a reset.
        this.counts.socketErrors += 1;
        if (body.payload.length <= BODY_LIMIT)
          this.counts.fiveHundreds.push(
            `${path} #${index} (${body.kind}, ${body.payload.length} bytes): ${error.message}`,
          );
      }
    }
  }
}

/** Sends bodies first..first+count-1 to a route from CONCURRENCY clients. */
async function fuzzRoute(route: string, first: number, count: number, seed: number): Promise<Counts> {
  const counts = newCounts();
  const setup = setupFor(route);
  let next = first;
  const end = first + count;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const client = new FuzzClient(route, setup, counts);
      try {
        while (next < end && portal.alive()) await client.send(next++, seed);
      } finally {
        client.http.close();
      }
    }),
  );
  return counts;
}

/** User + system CPU seconds a process has used (Linux /proc/<pid>/stat, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const pad = (text: string | number, width: number) => String(text).padStart(width);

t.test(`every POST route takes ${COUNT} fuzzed bodies without a 5xx, a crash, a hang or a leak`, async (t) => {
  t.ok(ROUTES.length >= 18, `${ROUTES.length} POST routes to fuzz`);
  // Warm-up: the same traffic, not counted, until the process's memory has found its working size.
  for (const route of ROUTES) await fuzzRoute(route, -WARMUP, WARMUP, SEED);
  await sleep(2000);
  const rssBefore = portal.rssKiB();
  const heldBefore = await portal.heldAfterGc();

  const started = performance.now();
  const totals = newCounts();
  const lines: string[] = [];
  for (const route of ROUTES) {
    const routeStarted = performance.now();
    const counts = await fuzzRoute(route, 0, COUNT, SEED);
    const seconds = (performance.now() - routeStarted) / 1000;
    for (const cls of Object.keys(counts.byClass))
      totals.byClass[cls] = (totals.byClass[cls] ?? 0) + counts.byClass[cls];
    for (const [status, n] of Object.entries(counts.byStatus))
      totals.byStatus[Number(status)] = (totals.byStatus[Number(status)] ?? 0) + n;
    totals.socketErrors += counts.socketErrors;
    totals.timeouts += counts.timeouts;
    totals.setupRequests += counts.setupRequests;
    totals.fiveHundreds.push(...counts.fiveHundreds);
    totals.slowestMs = Math.max(totals.slowestMs, counts.slowestMs);
    totals.reachedRoute += counts.reachedRoute;
    const c = counts.byClass;
    const statuses = Object.entries(counts.byStatus)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    lines.push(
      `${route.padEnd(56)} ${pad(c['2xx'], 6)} ${pad(c['3xx'], 6)} ${pad(c['4xx'], 6)} ${pad(c['5xx'] ?? 0, 4)} ${pad(counts.socketErrors, 5)} ${pad(counts.reachedRoute, 6)} ${pad(seconds.toFixed(1), 6)}s  ${statuses}`,
    );
    t.ok(portal.alive(), `${route}: the portal is still running`);
    if (!portal.alive()) break;
  }
  const wallSeconds = (performance.now() - started) / 1000;
  await sleep(3000);
  const rssAfter = portal.rssKiB();
  const heldAfter = await portal.heldAfterGc();
  // The leak check: more traffic of the same kind (new bodies, new addresses) once the caches are full.
  for (const route of ROUTES) await fuzzRoute(route, COUNT, WARMUP, SEED);
  const heldAgain = await portal.heldAfterGc();
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

  const sent = Object.values(totals.byClass).reduce((a, b) => a + b, 0) + totals.socketErrors + totals.timeouts;
  process.stdout.write(
    [
      `# fuzz: seed ${SEED}, ${COUNT} bodies per route, ${ROUTES.length} routes, ${CONCURRENCY} clients`,
      `# ${'route'.padEnd(56)} ${pad('2xx', 6)} ${pad('3xx', 6)} ${pad('4xx', 6)} ${pad('5xx', 4)} ${pad('reset', 5)} ${pad('route', 6)} ${pad('time', 7)}  statuses`,
      ...lines.map((line) => `# ${line}`),
      `# total: ${sent} bodies in ${wallSeconds.toFixed(1)} s (${(sent / wallSeconds).toFixed(0)}/s), plus ${totals.setupRequests} session and challenge GETs;` +
        ` 2xx ${totals.byClass['2xx']}, 3xx ${totals.byClass['3xx']}, 4xx ${totals.byClass['4xx']}, 5xx ${totals.byClass['5xx'] ?? 0} (503: ${totals.byStatus[503] ?? 0}),` +
        ` resets ${totals.socketErrors}, unanswered ${totals.timeouts}; ${totals.reachedRoute} answered by the route itself; slowest answer ${totals.slowestMs.toFixed(0)} ms`,
      `# portal CPU ${cpuSeconds(portal.pid).toFixed(1)} s, this test's ${(process.cpuUsage().user / 1e6).toFixed(1)} s user`,
      `# RSS after warm-up ${(rssBefore / 1024).toFixed(1)} MiB, after the run ${(rssAfter / 1024).toFixed(1)} MiB (${(((rssAfter - rssBefore) / rssBefore) * 100).toFixed(1)}%)`,
      `# held after a full GC: after warm-up ${mib(heldBefore)} MiB, after the run ${mib(heldAfter)} MiB, after ${WARMUP} more bodies per route ${mib(heldAgain)} MiB (${(((heldAgain - heldAfter) / heldAfter) * 100).toFixed(1)}%)`,
      '',
    ].join('\n'),
  );

  t.ok(portal.alive(), 'the portal process is still running');
  t.same(
    totals.fiveHundreds.slice(0, 20),
    [],
    `no 5xx but 503, no unanswered request (${totals.fiveHundreds.length} in all)`,
  );
  t.equal(totals.timeouts, 0, `every request answered within ${ANSWER_BOUND_MS / 1000} s`);
  t.ok(
    heldAgain <= heldAfter * 1.05,
    `what the process holds stops growing: ${mib(heldAfter)} MiB → ${mib(heldAgain)} MiB after ${WARMUP} more bodies per route`,
  );
  t.ok(
    totals.reachedRoute > sent * 0.3,
    `a good share of the bodies got past CSRF and the input checks to the routes (${totals.reachedRoute})`,
  );
  const errors = portal.warnings().filter((line) => Number(line.level) >= 50);
  t.same(
    errors.slice(0, 5).map((line) => `${line.msg}: ${JSON.stringify(line.err ?? '')}`),
    [],
    'no error in the portal log',
  );
  const code = await portal.stop();
  t.equal(code, 0, 'and it shuts down cleanly afterwards');
  t.notMatch(portal.stderr(), /\n\s+at /, 'no stack trace on stderr');
});
