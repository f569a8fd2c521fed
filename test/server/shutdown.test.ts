// Graceful shutdown: SIGTERM lets the request in flight finish, then the process closes the pool and exits 0.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createPool } from '../../server/db/pool';
import { PROJECT_ROOT } from '../../server/downloads/catalogue';
import { TEST_DATABASE_URL } from '../helpers/db';

const schema = `s_${randomBytes(6).toString('hex')}`;
const admin = createPool(TEST_DATABASE_URL, { max: 1 });
await admin.query(`CREATE SCHEMA ${schema}`);
t.teardown(async () => {
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
});

const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as { port: number };
    probe.close(() => resolve(port));
  });
});

/** The portal's own start command on a fresh schema; its pino lines are handed to `onLog`. */
function startPortalProcess(onLog: (line: Record<string, unknown>) => void): ChildProcess {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  // As `npm start` runs it.
  const child = spawn(join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [join(PROJECT_ROOT, 'server/main.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: url.toString(),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // Shared between runs: demo mode makes its demo PKI in DATA_DIR on the first start only.
      DATA_DIR: join(tmpdir(), 'sw-portal-shutdown-test-data'),
      START_SIGNER: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      onLog(JSON.parse(line));
    } catch {
      // not a log line
    }
  });
  return child;
}

t.test('SIGTERM lets a request in flight complete and the process exits 0', async (t) => {
  const waiting: Array<{ test: (l: Record<string, unknown>) => boolean; resolve: () => void }> = [];
  const seen: Array<Record<string, unknown>> = [];
  const logged = (test: (l: Record<string, unknown>) => boolean) =>
    new Promise<void>((resolve) => (seen.some(test) ? resolve() : waiting.push({ test, resolve })));
  const child = startPortalProcess((line) => {
    seen.push(line);
    for (const w of waiting.filter((w) => w.test(line))) w.resolve();
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  await logged((l) => typeof l.msg === 'string' && l.msg.startsWith('Server listening'));

  // A form whose body arrives slowly: the request is in flight until the last byte is sent.
  const body = `note=${'x'.repeat(2000)}`;
  let bodyFinished = false;
  const response = new Promise<{ status: number; text: string; finishedFirst: boolean }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/downloads',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
      },
      (res) => {
        const finishedFirst = bodyFinished;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, finishedFirst }));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 100));
    void logged((l) => l.msg === 'incoming request' && (l.req as { url?: string })?.url === '/downloads')
      .then(() => {
        child.kill('SIGTERM');
        return logged((l) => typeof l.msg === 'string' && l.msg.startsWith('shutting down'));
      })
      .then(() => {
        // The portal is shutting down; now the rest of the body arrives.
        bodyFinished = true;
        req.end(body.slice(100));
      });
  });

  const result = await response;
  t.ok(result.finishedFirst, 'the answer came after the whole body, so the request really was in flight');
  t.ok(result.status > 0 && result.status < 500, `the request got its answer (${result.status})`);
  t.match(result.text, /<html lang="zh-TW">/, 'a full page');
  t.equal(await exited, 0, 'the process exits 0');
  t.notMatch(stderr, /error|fail|\n\s+at /i, 'no error on stderr');
  t.ok(
    seen.some((l) => l.msg === 'request completed'),
    'the request was completed before exit',
  );
  t.ok(
    seen.some((l) => l.msg === 'download catalogue up to date'),
    'the start brought the download catalogue up to date',
  );
});

t.test('a new connection after SIGTERM is not accepted', async (t) => {
  // The previous test's process has exited: the port is closed.
  const refused = await new Promise<boolean>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz' }, () => resolve(false));
    req.on('error', () => resolve(true));
    req.end();
  });
  t.ok(refused);
});
