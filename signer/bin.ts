// Entry point of the downloadable single-file signer (see build.ts).
import { main } from './main.js';

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`sw-signer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
