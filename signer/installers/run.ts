// Runs a build tool and fails with its own output when it fails: a missing tool names the Debian package to install.
import { spawnSync } from 'node:child_process';

export class MissingToolError extends Error {}

export function run(command: string, args: string[], options: { cwd?: string; debianPackage?: string } = {}): string {
  const result = spawnSync(command, args, { cwd: options.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new MissingToolError(
      `${command} is not installed${options.debianPackage ? ` (Debian package ${options.debianPackage})` : ''}`,
    );
  }
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const output = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-8).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${output}`);
  }
  return result.stdout;
}

/** True when the command can be started (found on PATH). */
export function hasTool(command: string): boolean {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return !(result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT');
}
