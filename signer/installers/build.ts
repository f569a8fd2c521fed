// `npm run build:installers`: the 憑證元件 as packages users install as they would any program: a Windows .msi,
// a macOS .pkg and a Linux .deb, each carrying the signer as a Node.js single-executable program. They are written
// to DATA_DIR/installers (not in git) with manifest.json (size and SHA-256 of each), which the portal's 軟體下載
// lists. A build is keyed by the hash of everything it is made of: when nothing changed it takes a second.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  createReadStream,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultAllowedOrigins } from '../server.js';
import { SIGNER_VERSION } from '../version.js';
import { buildDeb } from './deb.js';
import { buildMsi } from './msi.js';
import { pkcs11Addon, MINGW_CXX, type NativeAddon } from './native.js';
import { nodeBinary } from './node-runtime.js';
import { MAINTAINER, type PackageInput } from './package-input.js';
import { buildPkg } from './pkg.js';
import { NODE_VERSION, PLATFORMS, type Platform } from './platforms.js';
import { hasTool } from './run.js';
import { bundleForSea, makeProgram, makeSeaBlob } from './sea.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface InstallerPackage {
  platform: Platform;
  fileName: string;
  size: number;
  sha256: string;
  /** Whether pkcs11js's add-on is inside (card readers); without it only PKCS#12 soft cards work. */
  cardReaders: boolean;
}

export interface InstallersManifest {
  key: string;
  version: string;
  /** Build date, YYYY-MM-DD (UTC). */
  date: string;
  node: string;
  origins: string[];
  packages: InstallerPackage[];
  /** Platforms not built, and why (a missing tool, no add-on …). */
  skipped: Array<{ platform: Platform; reason: string }>;
  addons: Partial<Record<Platform, string>>;
}

export interface BuildInstallersOptions {
  /** Where the packages and manifest.json go; default DATA_DIR/installers. */
  outDir?: string;
  /** Where Node.js binaries and the Windows add-on are kept between builds; default <outDir>/cache. */
  cacheDir?: string;
  /** The sites the installed signer trusts; default http://localhost:3000 and PUBLIC_ORIGIN. */
  origins?: string[];
  platforms?: readonly Platform[];
  now?: Date;
  log?: (line: string) => void;
}

export const PACKAGE_FILE_NAMES: Record<Platform, (version: string) => string> = {
  windows: (v) => `sw-signer-${v}-windows-x64.msi`,
  macos: (v) => `sw-signer-${v}-macos-x64.pkg`,
  linux: (v) => `sw-signer_${v}_amd64.deb`,
};

const TOOLS: Record<Platform, { command: string; debianPackage: string }> = {
  windows: { command: 'wixl', debianPackage: 'wixl' },
  macos: { command: 'node', debianPackage: 'nodejs' },
  linux: { command: 'dpkg-deb', debianPackage: 'dpkg' },
};

export function defaultInstallersDir(env: Record<string, string | undefined> = process.env): string {
  return resolve(env.DATA_DIR || 'data', 'installers');
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/** The builder's own sources: a change to how a package is made makes a new build. */
function builderHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(here)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    hash.update(file).update(readFileSync(join(here, file)));
  }
  return hash.digest('hex');
}

export function readInstallersManifest(dir: string): InstallersManifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as InstallersManifest;
  } catch {
    return undefined;
  }
}

function upToDate(dir: string, key: string): InstallersManifest | undefined {
  const manifest = readInstallersManifest(dir);
  if (!manifest || manifest.key !== key) return undefined;
  const whole = manifest.packages.every((p) => {
    const file = join(dir, p.fileName);
    return existsSync(file) && statSync(file).size === p.size;
  });
  return whole ? manifest : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One build at a time per folder (parallel test files, two starts): the others wait and then find it done. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock');
  mkdirSync(dir, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // the owner has not written its pid yet
      }
      let alive = true;
      if (Number.isInteger(owner)) {
        try {
          process.kill(owner, 0);
        } catch {
          alive = false;
        }
      }
      if (!alive) rmSync(lock, { recursive: true, force: true });
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function buildInstallers(
  options: BuildInstallersOptions = {},
): Promise<InstallersManifest & { built: boolean; dir: string }> {
  const outDir = resolve(options.outDir ?? defaultInstallersDir());
  const cacheDir = resolve(options.cacheDir ?? join(outDir, 'cache'));
  const origins = options.origins ?? defaultAllowedOrigins();
  const platforms = options.platforms ?? PLATFORMS;
  const log = options.log ?? (() => {});
  return withLock(outDir, async () => {
    const work = join(outDir, '.work');
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const script = join(work, 'sw-signer.cjs');
    const bundle = await bundleForSea(script);

    const addons = {} as Record<Platform, NativeAddon>;
    for (const platform of platforms) addons[platform] = pkcs11Addon(platform, cacheDir);
    const tools = Object.fromEntries(platforms.map((p) => [p, hasTool(TOOLS[p].command)]));
    const key = createHash('sha256')
      .update(
        JSON.stringify({
          version: SIGNER_VERSION,
          node: NODE_VERSION,
          bundle: createHash('sha256').update(bundle).digest('hex'),
          builder: builderHash(),
          addons: Object.fromEntries(
            Object.entries(addons).map(([p, a]) => [p, a.file !== null ? a.sha256 : a.reason]),
          ),
          tools,
          mingw: hasTool(MINGW_CXX),
          origins,
          platforms,
        }),
      )
      .digest('hex');
    const cached = upToDate(outDir, key);
    if (cached) {
      rmSync(work, { recursive: true, force: true });
      return { ...cached, built: false, dir: outDir };
    }

    const now = options.now ?? new Date();
    const programArgs = origins.flatMap((o) => ['--allow-origin', o]);
    const packages: InstallerPackage[] = [];
    const skipped: InstallersManifest['skipped'] = [];
    // The blob is made by the Linux binary of the same Node.js version as every target.
    const blob = join(work, 'sea-prep.blob');
    makeSeaBlob(nodeBinary('linux', cacheDir), script, blob);

    for (const platform of platforms) {
      if (!tools[platform]) {
        skipped.push({
          platform,
          reason: `${TOOLS[platform].command} is not installed (Debian ${TOOLS[platform].debianPackage})`,
        });
        continue;
      }
      try {
        const started = Date.now();
        const program = join(work, platform, platform === 'windows' ? 'sw-signer.exe' : 'sw-signer');
        await makeProgram(platform, nodeBinary(platform, cacheDir), blob, program);
        const addon = addons[platform];
        const input: PackageInput = {
          version: SIGNER_VERSION,
          nodeVersion: NODE_VERSION,
          program,
          addon: addon.file,
          programArgs,
          maintainer: MAINTAINER,
        };
        const fileName = PACKAGE_FILE_NAMES[platform](SIGNER_VERSION);
        const partial = join(work, fileName);
        if (platform === 'windows') buildMsi(input, work, partial);
        else if (platform === 'macos') buildPkg(input, partial, now);
        else buildDeb(input, work, partial);
        renameSync(partial, join(outDir, fileName));
        rmSync(join(work, platform), { recursive: true, force: true });
        const file = join(outDir, fileName);
        packages.push({
          platform,
          fileName,
          size: statSync(file).size,
          sha256: await sha256File(file),
          cardReaders: addon.file !== null,
        });
        log(`${fileName}: ${statSync(file).size} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } catch (error) {
        skipped.push({ platform, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    const manifest: InstallersManifest = {
      key,
      version: SIGNER_VERSION,
      date: now.toISOString().slice(0, 10),
      node: NODE_VERSION,
      origins,
      packages,
      skipped,
      addons: Object.fromEntries(
        Object.entries(addons).map(([p, a]) => [p, a.file !== null ? `pkcs11.node ${a.sha256}` : `none: ${a.reason}`]),
      ),
    };
    // Packages of earlier builds go; the cache stays.
    const keep = new Set(['manifest.json', 'cache', '.work', '.lock', ...packages.map((p) => p.fileName)]);
    for (const name of readdirSync(outDir))
      if (!keep.has(name)) rmSync(join(outDir, name), { recursive: true, force: true });
    writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    rmSync(work, { recursive: true, force: true });
    return { ...manifest, built: true, dir: outDir };
  });
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(resolve(entry)).href) {
  const args = process.argv.slice(2);
  // --best-effort (npm start): a package that cannot be built here is reported, and the start goes on.
  const bestEffort = args.includes('--best-effort');
  const started = Date.now();
  buildInstallers({ log: (line) => process.stdout.write(`build:installers: ${line}\n`) })
    .then((m) => {
      const took = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `build:installers: ${m.built ? `built in ${took} s` : 'up to date'}: ${m.packages.map((p) => p.fileName).join(', ') || 'no package'} in ${m.dir}\n`,
      );
      for (const s of m.skipped) process.stdout.write(`build:installers: ${s.platform} not built: ${s.reason}\n`);
      if (m.skipped.length > 0 && !bestEffort) process.exitCode = 1;
    })
    .catch((error: unknown) => {
      process.stderr.write(`build:installers: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = bestEffort ? 0 : 1;
    });
}
