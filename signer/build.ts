// `npm run build:signer`: packs the signer into one file a user runs with Node 20+ (the 軟體下載 item
// 「憑證元件」), and writes a manifest with its version, date, size and SHA-256 for the portal's download page.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { SIGNER_VERSION } from './version.js';

export interface SignerManifest {
  name: string;
  version: string;
  /** Build date, YYYY-MM-DD (UTC). */
  date: string;
  fileName: string;
  size: number;
  sha256: string;
  node: string;
}

const here = dirname(fileURLToPath(import.meta.url));

const HEADER = `#!/usr/bin/env node
// sw-signer ${SIGNER_VERSION}: 關港貿單一窗口 憑證元件 (the local certificate signer of the Customs-Port-Trade Single Window).
//
// Run it with Node.js 20 or newer:   node sw-signer-${SIGNER_VERSION}.mjs --help
// It listens on http://127.0.0.1:61161 only and signs the portal's login and registration challenges with the
// signing key of your Citizen Digital Certificate (自然人憑證). The PIN is used for the card and never stored.
//
// Card readers (PKCS#11): the reader's module is loaded through the pkcs11js package, which is not inside this
// file because it is a native add-on. Install it once in the folder of this file:
//     npm install pkcs11js@2
//     node sw-signer-${SIGNER_VERSION}.mjs --pkcs11 /path/to/the/card/module (e.g. HiCOS: libHiCOSPKCS11.so, HiCOSPKCS11.dll)
// Soft cards (PKCS#12) need nothing more:  node sw-signer-${SIGNER_VERSION}.mjs --p12 card.p12 --allow-origin https://portal.example
//
// Bundled third-party code: node-forge (BSD-3-Clause or GPL-2.0), ws (MIT).
`;

export async function buildSigner(
  options: { outDir?: string; now?: Date } = {},
): Promise<SignerManifest & { path: string }> {
  const outDir = resolve(options.outDir ?? join(here, '..', 'dist', 'signer'));
  mkdirSync(outDir, { recursive: true });
  const fileName = `sw-signer-${SIGNER_VERSION}.mjs`;
  const outfile = join(outDir, fileName);
  await build({
    entryPoints: [join(here, 'bin.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // pkcs11js is a native add-on (installed beside the file); ws's optional native helpers are skipped.
    external: ['pkcs11js', 'bufferutil', 'utf-8-validate'],
    banner: {
      // node-forge and ws are CommonJS and require() Node's own modules.
      js: `${HEADER}import { createRequire as __swCreateRequire } from 'node:module';\nconst require = __swCreateRequire(import.meta.url);\n`,
    },
    define: { 'process.env.SW_SIGNER_BUNDLED': '"1"' },
    // The signer reaches the portal's DER module through server/pki/index.ts; package.json says the project's modules
    // have no side effects, so the bundle keeps that module and drops the rest of the engine.
    legalComments: 'none',
    logLevel: 'warning',
  });
  const bytes = readFileSync(outfile);
  const manifest: SignerManifest = {
    name: '憑證元件 sw-signer',
    version: SIGNER_VERSION,
    date: (options.now ?? new Date()).toISOString().slice(0, 10),
    fileName,
    size: statSync(outfile).size,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    node: '>=20',
  };
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return { ...manifest, path: outfile };
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(resolve(entry)).href) {
  buildSigner()
    .then((m) => process.stdout.write(`${m.path}\n${m.size} bytes, sha256 ${m.sha256}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`build:signer: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
