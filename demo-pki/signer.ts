// `npm run signer [-- options]` inside the project: the local signer with the demo PKI's soft cards "inserted",
// the demo PKI made the first time. The signer itself (signer/main.ts, also the downloadable program) only reads
// the demo cards as data; making them is demo tooling, so it happens here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, parseArgs } from '../signer/cli.js';
import { demoDirFor, main } from '../signer/main.js';
import { ensureDemoPki } from './demo-pki.js';

async function run(argv: string[]): Promise<void> {
  let dir: string | null = null;
  try {
    const cli = parseArgs(argv);
    if (!cli.help && !cli.version) dir = demoDirFor(cli);
  } catch (error) {
    // main reports a bad option with the usage text
    if (!(error instanceof CliError)) throw error;
  }
  if (dir && !existsSync(join(dir, 'manifest.json'))) {
    process.stdout.write('Making the demo PKI (the first time takes a minute)…\n');
    await ensureDemoPki(dir, process.env.PUBLIC_ORIGIN ? { baseUrl: process.env.PUBLIC_ORIGIN } : {});
  }
  await main(argv);
}

run(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`sw-signer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
