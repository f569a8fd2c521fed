// A POSIX "odc" cpio archive (magic 070707, octal ASCII header fields), the format of a macOS package's Payload
// and Scripts (each gzip-compressed).
export interface CpioEntry {
  /** "." or "./Library/…" */
  path: string;
  /** Type and permission bits, e.g. 0o040755 for a directory, 0o100755 for an executable. */
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** A file's bytes (none for a directory). */
  data?: Buffer;
}

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;

function octal(value: number, width: number): string {
  const text = value.toString(8);
  if (text.length > width) throw new Error(`cpio: ${value} does not fit in ${width} octal digits`);
  return text.padStart(width, '0');
}

function header(entry: CpioEntry, ino: number, size: number): Buffer {
  const name = Buffer.from(`${entry.path}\0`, 'utf8');
  const fields =
    '070707' +
    octal(0, 6) + // dev
    octal(ino, 6) +
    octal(entry.mode, 6) +
    octal(entry.uid, 6) +
    octal(entry.gid, 6) +
    octal((entry.mode & S_IFDIR) === S_IFDIR ? 2 : 1, 6) + // nlink
    octal(0, 6) + // rdev
    octal(entry.mtime, 11) +
    octal(name.length, 6) +
    octal(size, 11);
  return Buffer.concat([Buffer.from(fields, 'latin1'), name]);
}

export function cpioArchive(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((entry, i) => {
    const data = entry.data ?? Buffer.alloc(0);
    parts.push(header(entry, i + 1, data.length), data);
  });
  parts.push(header({ path: 'TRAILER!!!', mode: 0, uid: 0, gid: 0, mtime: 0 }, 0, 0));
  return Buffer.concat(parts);
}
