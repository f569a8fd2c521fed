// Size and SHA-256 of a shipped file, computed from the file itself and cached until its mtime or size changes.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileInfo {
  size: number;
  sha256: string;
  mtimeMs: number;
}

const cache = new Map<string, FileInfo>();

/** undefined when the file is missing (or is not a file). */
export async function fileInfo(path: string): Promise<FileInfo | undefined> {
  let stats;
  try {
    stats = await stat(path);
  } catch {
    return undefined;
  }
  if (!stats.isFile()) return undefined;
  const cached = cache.get(path);
  if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) return cached;
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  const info = { size: stats.size, sha256: hash.digest('hex'), mtimeMs: stats.mtimeMs };
  cache.set(path, info);
  return info;
}
