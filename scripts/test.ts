// `npm test`: tap over every test file, against the PostgreSQL in DATABASE_URL, or, when it is not set, an embedded
// PostgreSQL started for this run (in a temporary folder, removed afterwards). Arguments go to tap unchanged.
// TEST_RUN_CACHE names a folder the run's test files share (axe-core's answers by page content); removed afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * As many test files at once as the machine has cores (TEST_JOBS overrides), unless the caller passed --jobs: the
 * suite is mostly CPU (Chromium, RSA, argon2), so more jobs than cores only makes each slower.
 */
function jobsArgument(args: string[], env: NodeJS.ProcessEnv): string[] {
  if (args.some((arg) => arg.startsWith('--jobs') || arg === '-j' || /^-j\d/.test(arg))) return [];
  const jobs = Number(env.TEST_JOBS) > 0 ? Number(env.TEST_JOBS) : availableParallelism();
  return [`--jobs=${jobs}`];
}

async function main(): Promise<number> {
  const env = { ...process.env };
  let stop: (() => Promise<void>) | undefined;
  let dataDir: string | undefined;
  if (!env.DATABASE_URL) {
    dataDir = mkdtempSync(join(tmpdir(), 'sw-portal-test-db-'));
    const { startEmbeddedPostgres } = await import('../server/db/embedded');
    const port = Number(env.TEST_EMBEDDED_PG_PORT || 54339);
    process.stderr.write(`npm test: no DATABASE_URL, starting an embedded PostgreSQL on port ${port}\n`);
    const embedded = await startEmbeddedPostgres(dataDir, port, (line) => process.stderr.write(`${line}\n`));
    env.DATABASE_URL = embedded.url;
    stop = embedded.stop;
  }
  const runCache = mkdtempSync(join(tmpdir(), 'sw-portal-test-run-'));
  env.TEST_RUN_CACHE = runCache;
  const tap = fileURLToPath(new URL('../node_modules/.bin/tap', import.meta.url));
  const code = await new Promise<number>((resolve) => {
    const child = spawn(tap, [...jobsArgument(process.argv.slice(2), env), ...process.argv.slice(2)], {
      stdio: 'inherit',
      env,
    });
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
  await stop?.();
  rmSync(runCache, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  return code;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`npm test: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
