// The portal as `npm start` runs it, in a child process of the test: server/main.ts on a free loopback port, on a
// fresh schema of the test PostgreSQL, with a demo PKI of its own. For the fault tests, which need the real process
// (its RSS, its exit code, its sockets and timeouts), not app.inject.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { PROJECT_ROOT } from '../../server/downloads/catalogue';
import { createDemoPki, demoPkiDir, type DemoPki } from '../../demo-pki/demo-pki';
import { createTestDatabase, type TestDatabase } from './db';
import { TEST_SESSION_SECRET } from './session';
import { runKeys } from './run-keys';

export interface PortalProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  origin: string;
  db: TestDatabase;
  /** The demo PKI the portal trusts (made here with 2048-bit keys, so the start is quick). */
  pki: DemoPki;
  /** Everything the process wrote to stderr, and its log lines at warn or above. */
  stderr(): string;
  warnings(): Array<Record<string, unknown>>;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Resident set size of the process now, in KiB (Linux: VmRSS of /proc/<pid>/status). */
  rssKiB(): number;
  /**
   * The memory the process still holds right after a full garbage collection, in bytes: the JavaScript heap in use
   * plus the memory of Buffers and other external objects. Unlike RSS, which keeps the allocator's high-water mark,
   * this goes down again when the process lets go. Only for a process started with `{ inspect: true }`.
   */
  heldAfterGc(): Promise<number>;
  /** SIGTERM, wait for the exit; the exit code (null after a signal). */
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/**
 * Starts the portal and resolves once it listens. `env` adds to (or overrides) the test settings: demo mode, no local
 * signer, LOG_LEVEL=warn, the test session secret (so a test can write logged-in sessions with helpers/session.ts).
 */
export async function startPortalProcess(
  env: Record<string, string> = {},
  options: { inspect?: boolean } = {},
): Promise<PortalProcess> {
  const db = await createTestDatabase();
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'sw-portal-fault-'));
  // The portal would make this itself on its first start, with 4096-bit keys: slow. Its CRL and OCSP URLs point at
  // this portal, which serves them in demo mode, so revocation is checked for real.
  const pki = await createDemoPki(demoPkiDir(dataDir), { keyBits: 2048, baseUrl: origin, newKey: runKeys() });
  const url = new URL(db.url);
  url.searchParams.set('options', `-c search_path=${db.schema}`);
  // node with the tsx loader, not the tsx wrapper: then the child's pid is the portal's, for its RSS and its signals.
  // The inspector (on a free loopback port) lets the leak check collect garbage in the portal and read its heap.
  const inspect = options.inspect ? ['--inspect=127.0.0.1:0'] : [];
  const child = spawn(process.execPath, [...inspect, '--import', 'tsx', join(PROJECT_ROOT, 'server/main.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      DATABASE_URL: url.toString(),
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_ORIGIN: origin,
      DATA_DIR: dataDir,
      START_SIGNER: 'false',
      LOG_LEVEL: 'warn',
      SESSION_SECRET: TEST_SESSION_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const warnings: Array<Record<string, unknown>> = [];
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the portal did not start within 60 s: ${stderr}`)), 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the portal exited (${code}) before listening: ${stderr}`));
    });
    // LOG_LEVEL=warn hides "Server listening": poll the port instead.
    const poll = async () => {
      try {
        const res = await fetch(`${origin}/healthz`);
        if (res.ok) {
          clearTimeout(timer);
          return resolve();
        }
      } catch {
        // not listening yet
      }
      if (child.exitCode === null) setTimeout(poll, 100);
    };
    void poll();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (typeof entry.level === 'number' && entry.level >= 40) warnings.push(entry);
    } catch {
      // not a log line
    }
  });
  const cleanup = async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await listening;
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    await cleanup();
    throw error;
  }
  const pid = child.pid!;
  return {
    child,
    pid,
    port,
    origin,
    db,
    pki,
    stderr: () => stderr,
    warnings: () => warnings,
    alive: () => child.exitCode === null && child.signalCode === null,
    rssKiB: () => rssKiB(pid),
    async heldAfterGc() {
      const url = /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
      if (!url) throw new Error('the portal was not started with { inspect: true }');
      return heldAfterGc(url);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(force);
      await cleanup();
      return code;
    },
  };
}

/** Over the inspector protocol: a full collection (HeapProfiler.collectGarbage), then process.memoryUsage(). */
async function heldAfterGc(url: string): Promise<number> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  let nextId = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; result?: Record<string, unknown>; error?: unknown };
        if (message.id !== id) return;
        socket.off('message', onMessage);
        if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
        else resolve(message.result ?? {});
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    const answer = await call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    const usage = JSON.parse(String((answer.result as { value?: unknown })?.value)) as NodeJS.MemoryUsage;
    return usage.heapUsed + usage.external;
  } finally {
    socket.close();
  }
}
