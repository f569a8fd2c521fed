// The signer as Node.js's single-executable application (Node 20 docs, "Single executable applications"): the
// signer bundled into one CommonJS script, a preparation blob made with `node --experimental-sea-config`, and the
// blob injected into a copy of the platform's Node.js binary with postject.
import { copyFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { inject } from 'postject';
import { removeCodeSignature } from './macho.js';
import type { Platform } from './platforms.js';
import { run } from './run.js';

const signerDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The name of pkcs11js's native add-on file, installed beside the program. */
export const PKCS11_ADDON = 'pkcs11.node';

const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

// A single-executable application can require only Node's own modules, so pkcs11js's native add-on is loaded
// from the program's own folder with process.dlopen; without it, opening a card reader fails with the message below.
const addonBesideProgram: Plugin = {
  name: 'addon-beside-program',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, namespace: 'addon-beside-program' }));
    b.onLoad({ filter: /.*/, namespace: 'addon-beside-program' }, () => ({
      loader: 'js',
      contents: `const { dirname, join } = require('node:path');
const file = join(dirname(process.execPath), ${JSON.stringify(PKCS11_ADDON)});
const addon = { exports: {} };
try {
  process.dlopen(addon, file);
} catch (error) {
  throw new Error('this package has no card reader support (' + file + ': ' + error.message + ')');
}
module.exports = addon.exports;`,
    }));
  },
};

/** Bundles the signer (and pkcs11js's JavaScript) into one CommonJS script for the blob. */
export async function bundleForSea(outFile: string): Promise<Buffer> {
  mkdirSync(dirname(outFile), { recursive: true });
  await build({
    entryPoints: [join(signerDir, 'bin.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // ws's optional native helpers are skipped, as in the .mjs build.
    external: ['bufferutil', 'utf-8-validate'],
    plugins: [addonBesideProgram],
    // ws's optional native helpers are never looked for: a single-executable program can require only Node's own.
    define: {
      'process.env.SW_SIGNER_BUNDLED': '"1"',
      'process.env.WS_NO_BUFFER_UTIL': '"1"',
      'process.env.WS_NO_UTF_8_VALIDATE': '"1"',
      'import.meta.url': '""',
    },
    legalComments: 'none',
    logLevel: 'error',
  });
  return readFileSync(outFile);
}

/** The preparation blob of the bundled script, made by the given Node.js binary (the same version as the targets). */
export function makeSeaBlob(node: string, script: string, blobFile: string): void {
  const config = join(dirname(blobFile), 'sea-config.json');
  writeFileSync(
    config,
    JSON.stringify({ main: script, output: blobFile, disableExperimentalSEAWarning: true, useCodeCache: false }),
  );
  run(node, ['--experimental-sea-config', config], { cwd: dirname(blobFile) });
}

/** A copy of the platform's Node.js binary with the blob injected: the signer program. */
export async function makeProgram(platform: Platform, node: string, blobFile: string, outFile: string): Promise<void> {
  mkdirSync(dirname(outFile), { recursive: true });
  copyFileSync(node, outFile);
  if (platform === 'macos') {
    // As `codesign --remove-signature` (which Node's docs use): the signature would not match the changed binary.
    writeFileSync(outFile, removeCodeSignature(readFileSync(outFile)));
  }
  await inject(outFile, 'NODE_SEA_BLOB', readFileSync(blobFile), {
    sentinelFuse: SENTINEL_FUSE,
    ...(platform === 'macos' ? { machoSegmentName: 'NODE_SEA' } : {}),
  });
  chmodSync(outFile, 0o755);
}
