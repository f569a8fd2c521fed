// `npm run bench`: every benchmark, one after another, each in its own process so one's warm caches do not help another.
// Numbers are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// load.bench.ts starts the real portal on DATABASE_URL's PostgreSQL and writes bench/results.json.
const benches = ['pki.bench.ts', 'crl.bench.ts', 'load.bench.ts'];
let failed = false;
for (const bench of benches) {
  const file = fileURLToPath(new URL(bench, import.meta.url));
  process.stdout.write(`\n== ${bench} ==\n`);
  const run = spawnSync(process.execPath, ['--import=tsx', file], { stdio: 'inherit' });
  if (run.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
