// Load benchmarks against the real server/main.ts on the machine's PostgreSQL (a fresh schema), beside their bounds
// measured in the same run: a bare Fastify route for the pages, argon2 hashes per second for password login and
// registration. Numbers are printed and written to bench/results.json, never asserted.
//
//   npm run bench                  every benchmark (this one included)
//   npx tsx test/bench/load.bench.ts [--seconds N] [--profile DIR] [--only pages|login|password]
//
// --profile starts the portal with --cpu-prof (profiles land in DIR when it stops; summarise them with
// test/bench/profile-summary.ts). The load client runs in this process; its CPU use is reported beside each run.
import { sign, type KeyObject } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { TEST_DATABASE_URL } from '../helpers/db';
import { csrfFrom } from '../helpers/app';
import { challengeFrom } from '../helpers/demo-cards';
import { LoadBrowser } from './load/http-client';
import {
  PROJECT_ROOT,
  cpuSecondsOf,
  freePort,
  loadAverage,
  memoryOf,
  postgresCpuSeconds,
  sampleMemory,
  startBareServer,
  startPortal,
  type EventLoopDelay,
  type PortalProcess,
} from './load/processes';
import { PASSWORD, createBenchDatabase, createBenchPki, insertLoginAccounts, type BenchCard } from './load/fixtures';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const SECONDS = Number(option('seconds') ?? 15);
const PAGE_SECONDS = Math.min(SECONDS, 10);
const PROFILE_DIR = option('profile');
// One part alone, to profile or to try a change; results.json is written only by a whole run.
const ONLY = option('only');
const runs = (part: 'pages' | 'login' | 'password') => ONLY === undefined || ONLY === part;
const LOGIN_CLIENTS = 64;
const PASSWORD_CLIENTS = 16;
const REGISTRATION_CARDS = 800;

// ---------------------------------------------------------------- statistics

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

interface ProcessFigures {
  portalPeakRssMiB: number;
  portalCpuCores: number;
  clientCpuCores: number;
  /** every PostgreSQL process on the machine (shared with other work) */
  postgresCpuCores: number;
  eventLoop?: EventLoopDelay;
}

/** Runs `body` while watching the portal (memory samples, CPU, event loop) and this client's own CPU. */
async function watched<T>(
  portal: PortalProcess | undefined,
  pid: number,
  body: () => Promise<T>,
): Promise<T & ProcessFigures> {
  await portal?.resetEventLoop();
  const stopSampling = sampleMemory(pid);
  const portalCpu0 = cpuSecondsOf(pid);
  const postgresCpu0 = postgresCpuSeconds();
  const clientCpu0 = process.cpuUsage();
  const start = performance.now();
  const result = await body();
  const wall = (performance.now() - start) / 1000;
  const clientCpu = process.cpuUsage(clientCpu0);
  const figures: ProcessFigures = {
    portalPeakRssMiB: round(stopSampling()),
    portalCpuCores: round((cpuSecondsOf(pid) - portalCpu0) / wall, 2),
    clientCpuCores: round((clientCpu.user + clientCpu.system) / 1e6 / wall, 2),
    // A server process of another client may end during the run and take its CPU time with it: never below zero.
    postgresCpuCores: round(Math.max(0, postgresCpuSeconds() - postgresCpu0) / wall, 2),
    eventLoop: portal ? await portal.readEventLoop() : undefined,
  };
  return { ...result, ...figures };
}

/** CPU milliseconds each process spent per completed flow: where the machine's two cores go. */
function cpuPerUnit(run: ProcessFigures & { perSecond: number }): { portal: number; client: number; postgres: number } {
  const per = (cores: number) => (run.perSecond > 0 ? round((1000 * cores) / run.perSecond, 2) : 0);
  return { portal: per(run.portalCpuCores), client: per(run.clientCpuCores), postgres: per(run.postgresCpuCores) };
}

// ---------------------------------------------------------------- page runs (autocannon)

interface PageRun {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function cannon(url: string, seconds: number): Promise<PageRun> {
  const result = await autocannon({ url, connections: 32, duration: seconds });
  return {
    requestsPerSecond: round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function pageRun(portal: PortalProcess | undefined, pid: number, url: string): Promise<PageRun & ProcessFigures> {
  await cannon(url, 2); // warm-up: JIT, template cache, pool connections
  return watched(portal, pid, () => cannon(url, PAGE_SECONDS));
}

// ---------------------------------------------------------------- multi-step flows (one fresh browser each)

interface FlowRun {
  completed: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: Record<string, number>;
}

/** `clients` closed-loop workers repeating `flow` for `seconds` (or until `flow` says there is no more work). */
async function closedLoop(
  clients: number,
  seconds: number,
  flow: (worker: number) => Promise<'done' | 'none' | string>,
): Promise<FlowRun> {
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  let end = start;
  await Promise.all(
    Array.from({ length: clients }, async (_, worker) => {
      while (performance.now() < until) {
        const t0 = performance.now();
        let outcome: string;
        try {
          outcome = await flow(worker);
        } catch (error) {
          outcome = (error as Error).message;
        }
        if (outcome === 'none') break;
        const t1 = performance.now();
        end = Math.max(end, t1);
        if (outcome === 'done') latencies.push(t1 - t0);
        else failures[outcome] = (failures[outcome] ?? 0) + 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const wall = (end - start) / 1000;
  return {
    completed: latencies.length,
    perSecond: round(latencies.length / wall),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    failures,
  };
}

/** What the local signer returns (PKCS#1 v1.5, SHA-256 over tbs), made here with the card's key. */
function signedToken(page: string, card: BenchCard, key: KeyObject): Record<string, string> {
  const { tbs, nonce } = challengeFrom(page);
  return {
    _csrf: csrfFrom(page),
    nonce,
    signature: sign('sha256', Buffer.from(tbs, 'utf8'), key).toString('base64'),
    certificate: card.certificateBase64,
    signatureType: 'PKCS1',
    cardSerial: card.cardSerial,
  };
}

async function certificateLogin(origin: string, card: BenchCard, key: KeyObject): Promise<string> {
  const browser = new LoadBrowser(origin);
  try {
    const page = await browser.get('/login/certificate');
    if (page.status !== 200) return `challenge page ${page.status}`;
    const posted = await browser.post('/login/certificate', signedToken(page.body, card, key));
    if (posted.status !== 303 || posted.location !== '/account')
      return `signed POST ${posted.status} ${posted.location ?? ''}`;
    const account = await browser.get(posted.location);
    return account.status === 200 ? 'done' : `account ${account.status}`;
  } finally {
    browser.close();
  }
}

function registrationDetails(card: BenchCard): Record<string, string> {
  return {
    category: 'individual',
    name: card.holderName,
    idNumber: card.idNumber,
    birthDate: '69/05/17',
    phone: '0912-345-678',
    address: '臺北市中正區忠孝西路一段 1 號',
    password: PASSWORD,
    passwordConfirm: PASSWORD,
    email1: 'bench@example.com.tw',
    email2: '',
  };
}

/** The JavaScript path of 新版自然人憑證註冊: the form, one signed POST, 註冊完成. */
async function registration(origin: string, card: BenchCard, key: KeyObject): Promise<string> {
  const browser = new LoadBrowser(origin);
  try {
    const page = await browser.get('/register/citizen');
    if (page.status !== 200) return `form ${page.status}`;
    const posted = await browser.post('/register/citizen', {
      ...registrationDetails(card),
      ...signedToken(page.body, card, key),
    });
    if (posted.status !== 303 || posted.location !== '/register/citizen/done')
      return `signed POST ${posted.status} ${posted.location ?? ''}`;
    const done = await browser.get(posted.location);
    return done.status === 200 ? 'done' : `done page ${done.status}`;
  } finally {
    browser.close();
  }
}

async function passwordLogin(origin: string, idNumber: string): Promise<string> {
  const browser = new LoadBrowser(origin);
  try {
    const page = await browser.get('/login/password');
    if (page.status !== 200) return `login page ${page.status}`;
    const posted = await browser.post('/login/password', { _csrf: csrfFrom(page.body), idNumber, password: PASSWORD });
    if (posted.status !== 303 || posted.location !== '/account')
      return `password POST ${posted.status} ${posted.location ?? ''}`;
    const account = await browser.get(posted.location);
    return account.status === 200 ? 'done' : `account ${account.status}`;
  } finally {
    browser.close();
  }
}

function argon2Bound(seconds: number): { hashesPerSecond: number; msPerHashOneCore: number; inFlight: number } {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'test/bench/load/argon2-bound.ts'), String(seconds)],
    {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(`argon2 bound failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
  return {
    hashesPerSecond: round(result.hashesPerSecond),
    msPerHashOneCore: round(result.msPerHashOneCore),
    inFlight: result.inFlight,
  };
}

// ---------------------------------------------------------------- the run

const loadAtStart = loadAverage();
const startedAt = new Date();
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
process.stdout.write(`load ${loadAtStart}; making the bench PKI and schema…\n`);
const database = await createBenchDatabase(TEST_DATABASE_URL);
const bench = await createBenchPki(origin, { login: LOGIN_CLIENTS, registration: REGISTRATION_CARDS });
await insertLoginAccounts(database.pool, bench.loginCards);

if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
const portal = await startPortal(
  {
    DATABASE_URL: database.url,
    DATA_DIR: bench.dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_ORIGIN: origin,
    SESSION_SECRET: 'bench-session-secret-bench-session-secret-0123',
    START_SIGNER: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000',
  },
  { cpuProfileDir: PROFILE_DIR },
);
const bare = await startBareServer();
const portalStartRss = memoryOf(portal.pid).rssMiB;

const results: Record<string, unknown> = {};
const step = (name: string) => process.stdout.write(`  ${name}…\n`);
try {
  if (runs('pages')) {
    step('GET / on the bare Fastify route');
    const bareRun = await pageRun(undefined, bare.pid, `${bare.origin}/`);
    step('GET / (首頁)');
    const home = await pageRun(portal, portal.pid, `${origin}/`);
    step('GET /register/citizen');
    const form = await pageRun(portal, portal.pid, `${origin}/register/citizen`);
    results.pages = {
      bare: bareRun,
      home: { ...home, ratioToBare: round(home.requestsPerSecond / bareRun.requestsPerSecond, 2) },
      registerForm: { ...form, ratioToBare: round(form.requestsPerSecond / bareRun.requestsPerSecond, 2) },
    };
  }

  if (runs('login')) {
    step(`certificate login, ${LOGIN_CLIENTS} clients`);
    const cards = bench.loginCards;
    // warm-up: every card's chain validated and its OCSP answer cached before the clock starts
    await closedLoop(LOGIN_CLIENTS, 3, (worker) =>
      certificateLogin(origin, cards[worker % cards.length], bench.signingKey),
    );
    const loginRun = await watched(portal, portal.pid, () =>
      closedLoop(LOGIN_CLIENTS, SECONDS, (worker) =>
        certificateLogin(origin, cards[worker % cards.length], bench.signingKey),
      ),
    );
    results.certificateLogin = { clients: LOGIN_CLIENTS, ...loginRun, cpuMsPerLogin: cpuPerUnit(loginRun) };
  }

  if (runs('password')) {
    step('argon2 bound');
    const bound = argon2Bound(5);

    step(`registration, ${PASSWORD_CLIENTS} clients`);
    const unregistered = [...bench.registrationCards];
    const registered: string[] = [];
    const registrationRun = await watched(portal, portal.pid, () =>
      closedLoop(PASSWORD_CLIENTS, SECONDS, async () => {
        const card = unregistered.shift();
        if (!card) return 'none';
        const outcome = await registration(origin, card, bench.signingKey);
        if (outcome === 'done') registered.push(card.idNumber);
        return outcome;
      }),
    );
    results.registration = {
      clients: PASSWORD_CLIENTS,
      ...registrationRun,
      cpuMsPerRegistration: cpuPerUnit(registrationRun),
      cardsLeft: unregistered.length,
      ratioToArgon2Bound: round(registrationRun.perSecond / bound.hashesPerSecond, 2),
    };

    step(`password login, ${PASSWORD_CLIENTS} clients`);
    let next = 0;
    const accounts = registered.length > 0 ? registered : bench.loginCards.map((c) => c.idNumber);
    const passwordRun = await watched(portal, portal.pid, () =>
      closedLoop(PASSWORD_CLIENTS, SECONDS, () => passwordLogin(origin, accounts[next++ % accounts.length])),
    );
    results.passwordLogin = {
      clients: PASSWORD_CLIENTS,
      ...passwordRun,
      cpuMsPerLogin: cpuPerUnit(passwordRun),
      ratioToArgon2Bound: round(passwordRun.perSecond / bound.hashesPerSecond, 2),
    };
    results.argon2Bound = bound;
  }

  const count = async (table: string) => {
    const { rows } = await database.pool.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE expires_at < now())::int AS expired FROM ${table}`,
    );
    return rows[0] as { total: number; expired: number };
  };
  results.tables = { sessions: await count('sessions'), challenges: await count('challenges') };
  results.portalRss = {
    startMiB: round(portalStartRss),
    peakMiB: round(memoryOf(portal.pid).peakMiB),
    endMiB: round(memoryOf(portal.pid).rssMiB),
  };
} finally {
  await bare.stop();
  await portal.stop();
  await database.drop();
  rmSync(bench.dataDir, { recursive: true, force: true });
}

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model,
  node: process.version,
  date: startedAt.toISOString(),
  loadAverageAtStart: loadAtStart,
  loadAverageAtEnd: loadAverage(),
};
const report = { machine, seconds: SECONDS, pageSeconds: PAGE_SECONDS, ...results };
if (ONLY === undefined) {
  mkdirSync(join(PROJECT_ROOT, 'bench'), { recursive: true });
  writeFileSync(join(PROJECT_ROOT, 'bench/results.json'), JSON.stringify(report, null, 2) + '\n');
  printTable(report as unknown as Report);
} else {
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

// ---------------------------------------------------------------- printing

interface Report {
  machine: typeof machine;
  pages: Record<'bare' | 'home' | 'registerForm', PageRun & ProcessFigures & { ratioToBare?: number }>;
  certificateLogin: FlowRun & ProcessFigures & { clients: number; cpuMsPerLogin: ReturnType<typeof cpuPerUnit> };
  registration: FlowRun & ProcessFigures & { clients: number; ratioToArgon2Bound: number; cardsLeft: number };
  passwordLogin: FlowRun & ProcessFigures & { clients: number; ratioToArgon2Bound: number };
  argon2Bound: ReturnType<typeof argon2Bound>;
  tables: Record<'sessions' | 'challenges', { total: number; expired: number }>;
  portalRss: { startMiB: number; peakMiB: number; endMiB: number };
}

function printTable(r: Report): void {
  const loop = (f: ProcessFigures) => (f.eventLoop ? `${f.eventLoop.p99} ms` : '–');
  const rows: string[][] = [
    ['run', 'rate', 'p50', 'p99', 'bound / aim', 'loop p99', 'peak RSS', 'portal CPU', 'client CPU', 'PG CPU'],
  ];
  const page = (name: string, p: Report['pages']['home']) => [
    name,
    `${p.requestsPerSecond} req/s`,
    `${p.p50Ms} ms`,
    `${p.p99Ms} ms`,
    p.ratioToBare === undefined ? 'bound' : `${p.ratioToBare}× bare (aim ≥ 0.5×)`,
    loop(p),
    `${p.portalPeakRssMiB} MiB`,
    `${p.portalCpuCores}`,
    `${p.clientCpuCores}`,
    `${p.postgresCpuCores}`,
  ];
  rows.push(
    page('GET / bare Fastify', r.pages.bare),
    page('GET / 首頁', r.pages.home),
    page('GET /register/citizen', r.pages.registerForm),
  );
  const flow = (name: string, f: FlowRun & ProcessFigures, unit: string, note: string) => [
    name,
    `${f.perSecond} ${unit}/s`,
    `${f.p50Ms} ms`,
    `${f.p99Ms} ms`,
    note,
    loop(f),
    `${f.portalPeakRssMiB} MiB`,
    `${f.portalCpuCores}`,
    `${f.clientCpuCores}`,
    `${f.postgresCpuCores}`,
  ];
  rows.push(
    flow(
      `certificate login (${r.certificateLogin.clients} clients)`,
      r.certificateLogin,
      'logins',
      'aim ≥ 1000/s, p99 < 50 ms',
    ),
  );
  rows.push([
    'argon2 bound',
    `${r.argon2Bound.hashesPerSecond} hashes/s`,
    '',
    '',
    `${r.argon2Bound.msPerHashOneCore} ms CPU per hash`,
    '',
    '',
    '',
    '',
    '',
  ]);
  rows.push(
    flow(
      `registration (${r.registration.clients} clients)`,
      r.registration,
      'reg',
      `${r.registration.ratioToArgon2Bound}× argon2 bound`,
    ),
  );
  rows.push(
    flow(
      `password login (${r.passwordLogin.clients} clients)`,
      r.passwordLogin,
      'logins',
      `${r.passwordLogin.ratioToArgon2Bound}× argon2 bound`,
    ),
  );
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => [...(row[i] ?? '')].length)));
  for (const row of rows) process.stdout.write(row.map((cell, i) => cell.padEnd(widths[i])).join('  ') + '\n');
  const failures = {
    certificateLogin: r.certificateLogin.failures,
    registration: r.registration.failures,
    passwordLogin: r.passwordLogin.failures,
  };
  process.stdout.write(
    `failures: ${JSON.stringify(failures)}; page non-2xx: ${r.pages.home.non2xx}/${r.pages.registerForm.non2xx}\n`,
  );
  const cpu = r.certificateLogin.cpuMsPerLogin;
  process.stdout.write(
    `CPU per certificate login: portal ${cpu.portal} ms, client ${cpu.client} ms, PostgreSQL ${cpu.postgres} ms\n`,
  );
  process.stdout.write(
    `tables after the run: sessions ${r.tables.sessions.total} (${r.tables.sessions.expired} expired), ` +
      `challenges ${r.tables.challenges.total} (${r.tables.challenges.expired} expired)\n`,
  );
  process.stdout.write(
    `portal RSS: ${r.portalRss.startMiB} MiB at start, peak ${r.portalRss.peakMiB} MiB, ${r.portalRss.endMiB} MiB at the end\n`,
  );
  process.stdout.write(
    `machine: ${r.machine.cores} cores, ${r.machine.node}, ${r.machine.date}, load ${r.machine.loadAverageAtStart} → ${r.machine.loadAverageAtEnd}\n`,
  );
}
