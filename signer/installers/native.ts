// pkcs11js's native add-on (pkcs11.node) for each package. pkcs11js ships no prebuilt binaries: npm builds it from
// source with node-gyp when it is installed. It uses only Node-API (ABI-stable), so one build serves every Node.js
// version of its platform, the single-executable programs included.
// - linux: the add-on npm built for this project (node_modules/pkcs11js/build/Release/pkcs11.node);
// - windows: built here from pkcs11js's own sources with the MinGW-w64 cross compiler (Debian g++-mingw-w64-x86-64),
//   against an import library for the Node-API functions that names the program itself (sw-signer.exe), which
//   exports them as node.exe does;
// - macos: none. It needs Apple's SDK, which no Debian package has: the macOS program signs with PKCS#12 soft
//   cards only, and says so when a card reader is asked for.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Platform } from './platforms.js';
import { TARGETS } from './platforms.js';
import { hasTool, run } from './run.js';

const require = createRequire(import.meta.url);

export type NativeAddon =
  { file: string; sha256: string; reason?: undefined } | { file: null; reason: string; sha256?: undefined };

export const MINGW_CXX = 'x86_64-w64-mingw32-g++-posix';
const MINGW_DLLTOOL = 'x86_64-w64-mingw32-dlltool';
const MINGW_PACKAGE = 'g++-mingw-w64-x86-64-posix';

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The pkcs11js sources and the Node-API definitions: what the Windows build depends on. */
function windowsSourcesHash(pkcs11js: string, headers: string): string {
  const hash = createHash('sha256');
  const files = [
    ...readdirSync(join(pkcs11js, 'src')).map((f) => join(pkcs11js, 'src', f)),
    join(headers, 'def', 'js_native_api.def'),
    join(headers, 'def', 'node_api.def'),
  ].sort();
  for (const file of files) hash.update(file.slice(file.lastIndexOf('node_modules'))).update(readFileSync(file));
  return hash.digest('hex');
}

function buildWindowsAddon(cacheDir: string): NativeAddon {
  if (!hasTool(MINGW_CXX)) return { file: null, reason: `${MINGW_CXX} is not installed (Debian ${MINGW_PACKAGE})` };
  const pkcs11js = packageDir('pkcs11js');
  const headers = packageDir('node-api-headers');
  const key = windowsSourcesHash(pkcs11js, headers).slice(0, 16);
  const dir = join(cacheDir, `pkcs11js-win-x64-${key}`);
  const file = join(dir, 'pkcs11.node');
  if (!existsSync(file)) {
    const work = `${dir}.partial`;
    mkdirSync(work, { recursive: true });
    // The import library: every Node-API function, imported from the program that loads the add-on.
    const exports = ['js_native_api.def', 'node_api.def'].flatMap((def) =>
      readFileSync(join(headers, 'def', def), 'utf8')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line && !/^(NAME|LIBRARY|EXPORTS)\b/.test(line)),
    );
    writeFileSync(join(work, 'host.def'), `LIBRARY ${TARGETS.windows.programName}\nEXPORTS\n${exports.join('\n')}\n`);
    run(MINGW_DLLTOOL, ['-d', 'host.def', '-l', 'libhost.a'], { cwd: work, debianPackage: MINGW_PACKAGE });
    run(
      MINGW_CXX,
      [
        '-shared',
        '-O2',
        '-std=c++17',
        '-w',
        '-DNAPI_DISABLE_CPP_EXCEPTIONS',
        `-I${join(headers, 'include')}`,
        `-I${join(pkcs11js, 'includes')}`,
        // The same three translation units as pkcs11js's binding.gyp.
        ...['dl.cpp', 'common.cpp', 'main.cpp'].map((f) => join(pkcs11js, 'src', f)),
        '-o',
        'pkcs11.node',
        '-L.',
        '-lhost',
        // No MinGW runtime DLL to ship beside it.
        '-static',
        '-static-libgcc',
        '-static-libstdc++',
        '-s',
      ],
      { cwd: work, debianPackage: MINGW_PACKAGE },
    );
    renameSync(work, dir);
  }
  return { file, sha256: sha256(readFileSync(file)) };
}

/** The add-on to put beside the program of a platform, or why there is none. */
export function pkcs11Addon(platform: Platform, cacheDir: string): NativeAddon {
  if (platform === 'linux') {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      return { file: null, reason: 'the Linux add-on is taken from a linux-x64 npm install' };
    }
    const file = join(packageDir('pkcs11js'), 'build', 'Release', 'pkcs11.node');
    if (!existsSync(file)) return { file: null, reason: `${file} is missing (npm did not build pkcs11js)` };
    return { file, sha256: sha256(readFileSync(file)) };
  }
  if (platform === 'windows') return buildWindowsAddon(cacheDir);
  return { file: null, reason: "pkcs11js has no prebuilt macOS binary and building one needs Apple's SDK" };
}

/** Copies the add-on beside a program (nothing when there is none). */
export function placeAddon(addon: NativeAddon, programDir: string, name: string): void {
  if (addon.file) copyFileSync(addon.file, join(programDir, name));
}
