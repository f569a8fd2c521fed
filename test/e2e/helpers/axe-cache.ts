// axe-core's answers for one test run, by page content. `npm test` names a folder shared by every test file of the
// run (TEST_RUN_CACHE); without it (a file run alone) the cache lives in this process only.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const inProcess = new Map<string, unknown>();

/**
 * The key of a page as axe sees it: its DOM without scripts, at its viewport size. What differs between two visits
 * of the same page and cannot change an accessibility rule is taken out first: hidden inputs' values (CSRF tokens,
 * challenges), nonces, and the port of the portal under test.
 */
export function axeCacheKey(snapshot: string, viewport: { width: number; height: number }): string {
  const normalised = snapshot
    .replace(/(<input\b[^>]*\btype="hidden"[^>]*\bvalue=")[^"]*"/gi, '$1"')
    .replace(/(<input\b[^>]*\bvalue=")[^"]*("[^>]*\btype="hidden")/gi, '$1$2')
    .replace(/\bnonce="[^"]*"/gi, '')
    .replace(/\/\/(localhost|127\.0\.0\.1):\d+/g, '//$1');
  return createHash('sha256').update(`${viewport.width}x${viewport.height}\n${normalised}`).digest('hex');
}

function cacheFile(key: string): string | undefined {
  const dir = process.env.TEST_RUN_CACHE;
  return dir ? join(dir, 'axe', `${key}.json`) : undefined;
}

export function readAxeCache<T>(key: string): T | undefined {
  if (inProcess.has(key)) return inProcess.get(key) as T;
  const file = cacheFile(key);
  if (!file) return undefined;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as T;
    inProcess.set(key, value);
    return value;
  } catch {
    return undefined;
  }
}

export function writeAxeCache(key: string, value: unknown): void {
  inProcess.set(key, value);
  const file = cacheFile(key);
  if (!file) return;
  mkdirSync(join(file, '..'), { recursive: true });
  // Written whole, then renamed: a test file running beside this one never reads half an answer.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify(value));
  renameSync(partial, file);
}
