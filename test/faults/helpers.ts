// Fault tests drive the real `server/main.ts` as a child process over loopback HTTP, as a browser and the local
// signer would: a free port, a demo PKI with many cards in the portal's DATA_DIR, a cookie jar, one registration or
// certificate login as one function. Nothing here sleeps for timing: waits poll a condition, with a bound.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoPkiDir, ensureDemoPki, loadDemoPki, type DemoCardSpec, type DemoPki } from '../../demo-pki/demo-pki';
import { openPkcs12 } from '../../demo-pki/pkcs12';
import { PROJECT_ROOT } from '../../server/downloads/catalogue';
import { challengeFrom } from '../helpers/demo-cards';
import { detailsFor, nationalIdEndingIn } from '../register/helpers';
import { createPool, type Pool } from '../../server/db/pool';
import { TEST_DATABASE_URL } from '../helpers/db';

export { PROJECT_ROOT };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

const SURNAMES = '王林陳黃張李吳劉蔡楊許鄭謝郭洪曾邱廖賴周';

/** Cards in the shared fault-test PKI: every file uses its own database, so each may use every card once. */
export const FAULT_CARDS = 64;

/**
 * FAULT_CARDS 個人 cards, each with its own valid national ID (last four 1000 + i) and a name of its own. Making them
 * costs two RSA keys each (about a second a card on a busy 2-core machine), so the PKI is made once per machine in
 * the temporary folder and reused (ensureDemoPki makes it atomically, so parallel files are safe), then copied into
 * each portal's DATA_DIR/demo-pki, where demo mode's card verifier finds its trust anchors.
 */
export async function faultPki(dataDir: string): Promise<DemoPki> {
  const cards: DemoCardSpec[] = Array.from({ length: FAULT_CARDS }, (_, i) => ({
    id: `card-${i}`,
    purpose: 'citizen',
    holderName: `${SURNAMES[i % SURNAMES.length]}測試${String.fromCodePoint(0x4e00 + i)}`,
    idNumber: nationalIdEndingIn(String(1000 + i), 'K', i % 2 ? '2' : '1'),
    pin: '123456',
    issuer: i % 2 ? 'g2' : 'g3',
  }));
  const shared = await ensureDemoPki(join(tmpdir(), `sw-portal-fault-pki-v1-${FAULT_CARDS}`), { keyBits: 2048, cards });
  mkdirSync(dataDir, { recursive: true });
  cpSync(shared.dir, demoPkiDir(dataDir), { recursive: true });
  return loadDemoPki(demoPkiDir(dataDir));
}

const keys = new Map<string, KeyObject>();

/** What the signer returns for a card (as signWithCard), its key opened from the PKCS#12 once per card. */
export function signAs(pki: DemoPki, cardId: string, tbs: string, nonce: string) {
  const card = pki.card(cardId);
  let key = keys.get(card.p12Path);
  if (!key) {
    key = openPkcs12(readFileSync(card.p12Path), card.pin).find((e) =>
      e.certDer?.equals(card.signingCertDer),
    )!.privateKey!;
    keys.set(card.p12Path, key);
  }
  return {
    nonce,
    signature: sign('sha256', Buffer.from(tbs, 'utf8'), key).toString('base64'),
    certificate: card.signingCertDer.toString('base64'),
    signatureType: 'PKCS1',
  };
}

/** A schema of its own on the test server, so fault tests share no rows with anything else. */
export async function isolatedSchema(): Promise<{ url: string; pool: Pool; drop(): Promise<void> }> {
  const schema = `f_${randomBytes(6).toString('hex')}`;
  const admin = createPool(TEST_DATABASE_URL, { max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const pool = createPool(TEST_DATABASE_URL, { max: 4, searchPath: schema });
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

export interface PortalProcess {
  port: number;
  origin: string;
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit code */
  stop(): Promise<number | null>;
  /** SIGKILL to the portal itself, not only tsx in front of it, and wait until its port is closed */
  killHard(): Promise<void>;
}

/**
 * The portal as `npm start` runs it, in demo mode without the signer, answering on 127.0.0.1:`port`. Resolves once
 * /healthz answers; rejects with its stderr if it exits first.
 */
export async function startPortal(env: Record<string, string>, port?: number): Promise<PortalProcess> {
  const listenPort = port ?? (await freePort());
  const child = spawn(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [join(PROJECT_ROOT, 'server/main.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(listenPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      START_SIGNER: 'false',
      // Loopback load from one address: the per-address limit would be the thing measured.
      RATE_LIMIT_PER_MINUTE: '100000',
      // The cards' CRL and OCSP addresses are not served in these tests; revocation is not their subject.
      REVOCATION_MODE: 'off',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    // Its own process group: tsx runs the portal in a child of its own, which a SIGKILL to tsx alone would orphan.
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const origin = `http://127.0.0.1:${listenPort}`;
  const portal: PortalProcess = {
    port: listenPort,
    origin,
    child,
    exited,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async killHard() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (await answers(origin))) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
  let gone = false;
  void exited.then(() => (gone = true));
  // Demo start-up makes nothing slow here (the demo PKI is already in DATA_DIR): 30 s is generous on a shared machine.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`portal exited at start: ${stderr}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) return portal;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await portal.killHard();
  throw new Error(`portal did not answer within 30 s: ${stderr}`);
}

async function answers(origin: string): Promise<boolean> {
  try {
    await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** A browser over real HTTP: cookies kept, redirects not followed (the tests read them). */
export class HttpBrowser {
  cookies = new Map<string, string>();
  constructor(public origin: string) {}

  private remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()),
      );
      if (value === '' || expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
  ): Promise<{ status: number; body: string; location?: string }> {
    const headers: Record<string, string> = { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(this.origin + path, {
      method,
      headers,
      redirect: 'manual',
      body: form ? new URLSearchParams(form).toString() : undefined,
      signal: AbortSignal.timeout(20_000),
    });
    this.remember(res);
    return { status: res.status, body: await res.text(), location: res.headers.get('location') ?? undefined };
  }

  get(path: string) {
    return this.request('GET', path);
  }

  post(path: string, form: Record<string, string>) {
    return this.request('POST', path, form);
  }
}

export function csrfIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('page has no CSRF token');
  return match[1];
}

/** How one attempt ended: the portal's answer, or the connection failing. */
export type Outcome = 'succeeded' | 'unavailable' | 'other';

export interface AttemptResult {
  outcome: Outcome;
  /** the status that decided the outcome (0: no answer) */
  status: number;
  step: string;
}

function judge(status: number, expected: number, step: string): AttemptResult | undefined {
  if (status === expected) return undefined;
  return { outcome: status === 503 ? 'unavailable' : 'other', status, step };
}

/**
 * One 個人 registration on the one-page JavaScript path: GET the form (a challenge), sign it with the card's key,
 * POST details and signature. Succeeded means 303 to 註冊完成.
 */
export async function registerWithCard(browser: HttpBrowser, pki: DemoPki, cardId: string): Promise<AttemptResult> {
  // Which step failed matters: a card whose signed form was never sent may be used again.
  let step = 'form';
  try {
    const page = await browser.get('/register/citizen');
    const refused = judge(page.status, 200, step);
    if (refused) return refused;
    const { tbs, nonce } = challengeFrom(page.body);
    step = 'submit';
    const res = await browser.post('/register/citizen', {
      _csrf: csrfIn(page.body),
      ...detailsFor(pki.card(cardId)),
      ...signAs(pki, cardId, tbs, nonce),
    });
    if (res.status === 303 && res.location === '/register/citizen/done')
      return { outcome: 'succeeded', status: 303, step };
    return { outcome: res.status === 503 ? 'unavailable' : 'other', status: res.status, step };
  } catch {
    // No answer at all: the portal dropped the connection or never answered in time.
    return { outcome: 'other', status: 0, step };
  }
}

/**
 * Certificate login on the JavaScript path: the challenge page from `issueAt`, the signature posted to `finishAt`
 * (two portal processes; one browser, whose cookies, like a real browser's, do not depend on the port).
 */
export async function loginWithCard(
  browser: HttpBrowser,
  pki: DemoPki,
  cardId: string,
  issueAt = browser.origin,
  finishAt = issueAt,
): Promise<AttemptResult> {
  try {
    browser.origin = issueAt;
    const page = await browser.get('/login/certificate');
    const refused = judge(page.status, 200, 'challenge');
    if (refused) return refused;
    const { tbs, nonce } = challengeFrom(page.body);
    browser.origin = finishAt;
    const res = await browser.post('/login/certificate', {
      _csrf: csrfIn(page.body),
      ...signAs(pki, cardId, tbs, nonce),
    });
    if (res.status === 303 && res.location === '/account') return { outcome: 'succeeded', status: 303, step: 'login' };
    return { outcome: res.status === 503 ? 'unavailable' : 'other', status: res.status, step: 'login' };
  } catch {
    // No answer at all: the portal dropped the connection or never answered in time.
    return { outcome: 'other', status: 0, step: 'connection' };
  }
}

/**
 * The database's view of half-written registrations: an account without a bound certificate, a certificate without
 * its account's 'register' audit event, an account without its audit event.
 */
export async function halfWritten(
  pool: Pool,
): Promise<{ accounts: number; withoutBinding: number; withoutAudit: number }> {
  const { rows } = await pool.query<{ accounts: number; without_binding: number; without_audit: number }>(`
    SELECT
      (SELECT count(*)::int FROM accounts WHERE role = 'citizen') AS accounts,
      (SELECT count(*)::int FROM accounts a WHERE a.role = 'citizen'
         AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.account_id = a.id)) AS without_binding,
      (SELECT count(*)::int FROM accounts a WHERE a.role = 'citizen'
         AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.action = 'register' AND e.subject_account_id = a.id)) AS without_audit`);
  return { accounts: rows[0].accounts, withoutBinding: rows[0].without_binding, withoutAudit: rows[0].without_audit };
}
