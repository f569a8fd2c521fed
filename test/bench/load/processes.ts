// The processes under test, seen from outside: started, polled until they answer, their memory and CPU read from
// /proc, the portal's event-loop delay read through the probe preloaded into it (event-loop-probe.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROBE = fileURLToPath(new URL('event-loop-probe.ts', import.meta.url));
const CLOCK_TICKS = 100; // USER_HZ on Linux

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
  });
}

export async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode} before answering`);
    if (await answers(url)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Resident memory in MiB: now and the peak since the process started (VmRSS, VmHWM). */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * CPU seconds used so far by every PostgreSQL server process on the machine. The server is shared with other
 * work, so this is an upper bound on what the benchmark made it do.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuSecondsOf(Number(entry));
    } catch {
      // the process ended between the listing and the read
    }
  }
  return total;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Samples a process's resident memory every 100 ms while a run lasts; the peak of the samples is the run's. */
export function sampleMemory(pid: number): () => number {
  let peak = memoryOf(pid).rssMiB;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryOf(pid).rssMiB);
    } catch {
      // the process is gone; the last peak stands
    }
  }, 100);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

export interface EventLoopDelay {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export interface PortalProcess {
  child: ChildProcess;
  pid: number;
  origin: string;
  resetEventLoop(): Promise<void>;
  readEventLoop(): Promise<EventLoopDelay>;
  stop(): Promise<void>;
}

function reply<T>(child: ChildProcess, send: string, kind: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { kind?: string }) => {
      if (message?.kind !== kind) return;
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.send(send);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The real server/main.ts, under node with tsx as its loader (so the measured pid is the portal itself). */
export async function startPortal(
  env: Record<string, string>,
  options: { cpuProfileDir?: string } = {},
): Promise<PortalProcess> {
  const flags = ['--import', 'tsx', '--import', PROBE];
  if (options.cpuProfileDir) flags.unshift('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  const child = spawn(process.execPath, [...flags, 'server/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const origin = `http://127.0.0.1:${env.PORT}`;
  await waitUntilAnswering(`${origin}/readyz`, child);
  return {
    child,
    pid: child.pid!,
    origin,
    resetEventLoop: () => reply(child, 'event-loop:reset', 'event-loop:reset'),
    readEventLoop: () => reply<EventLoopDelay>(child, 'event-loop:read', 'event-loop'),
    stop: () => stopChild(child),
  };
}

/** The bare Fastify route (bare-server.ts) in its own process. */
export async function startBareServer(): Promise<{ pid: number; origin: string; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('bare-server.ts', import.meta.url))],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return { pid: child.pid!, origin: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}
