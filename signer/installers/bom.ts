// A macOS bill of materials ("Bom" in a component package): the installed paths with their type, mode, owner,
// size and checksum, which Installer records as the package's receipt. Layout (all numbers big-endian): a 512-byte
// header "BOMStore", the named variables (BomInfo, Paths, HLIndex, VIndex, Size64), the blocks they point to, then
// the block table and an empty free list. Paths is a B-tree of at most 256 paths per leaf; each path has an id,
// its parent's id and its name. We write one leaf, which is enough for a package of a few files.
import type { CpioEntry } from './cpio.js';
import { S_IFDIR } from './cpio.js';

const TYPE_FILE = 1;
const TYPE_DIR = 2;

/** The CRC that POSIX cksum computes, which Boms carry for files. */
export function posixCksum(data: Buffer): number {
  let crc = 0;
  const update = (byte: number) => {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  };
  for (const byte of data) update(byte);
  for (let length = data.length; length > 0; length = Math.floor(length / 256)) update(length & 0xff);
  return ~crc >>> 0;
}

class BomStore {
  private blocks: Buffer[] = [];
  private vars: Array<{ name: string; index: number }> = [];

  /** Adds a block and returns its index (index 0 is the null block). */
  add(data: Buffer): number {
    this.blocks.push(data);
    return this.blocks.length;
  }

  addVar(name: string, data: Buffer): void {
    this.vars.push({ name, index: this.add(data) });
  }

  write(): Buffer {
    const varsPart = Buffer.concat([
      u32(this.vars.length),
      ...this.vars.map((v) => Buffer.concat([u32(v.index), Buffer.from([v.name.length]), Buffer.from(v.name)])),
    ]);
    const headerSize = 512;
    let address = headerSize + varsPart.length;
    const pointers = [Buffer.alloc(8)];
    for (const block of this.blocks) {
      pointers.push(Buffer.concat([u32(address), u32(block.length)]));
      address += block.length;
    }
    const index = Buffer.concat([u32(pointers.length), ...pointers]);
    const freeList = Buffer.concat([u32(0), Buffer.alloc(16)]);
    const header = Buffer.alloc(headerSize);
    header.write('BOMStore', 0, 'latin1');
    header.writeUInt32BE(1, 8);
    header.writeUInt32BE(this.blocks.length, 12);
    header.writeUInt32BE(address, 16);
    header.writeUInt32BE(index.length + freeList.length, 20);
    header.writeUInt32BE(headerSize, 24);
    header.writeUInt32BE(varsPart.length, 28);
    return Buffer.concat([header, varsPart, ...this.blocks, index, freeList]);
  }
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function tree(child: number, pathCount: number, blockSize = 4096): Buffer {
  return Buffer.concat([Buffer.from('tree'), u32(1), u32(child), u32(blockSize), u32(pathCount), Buffer.from([0])]);
}

function emptyLeaf(): Buffer {
  return Buffer.concat([u16(1), u16(0), u32(0), u32(0)]);
}

/** The Bom of a payload's entries ("." first, then every path below it). */
export function bomFor(entries: CpioEntry[]): Buffer {
  if (entries.length > 256) throw new Error('bom: more than one leaf of paths is not written here');
  if (entries[0]?.path !== '.') throw new Error('bom: the first entry must be "."');
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const children = new Map<string, string[]>();
  for (const entry of entries.slice(1)) {
    const parent = entry.path.slice(0, entry.path.lastIndexOf('/'));
    if (!byPath.has(parent)) throw new Error(`bom: ${entry.path} has no parent entry`);
    children.set(parent, [...(children.get(parent) ?? []), entry.path]);
  }
  const store = new BomStore();
  const info = Buffer.concat([u32(1), u32(entries.length + 1), u32(1), Buffer.alloc(16)]);
  store.addVar('BomInfo', info);

  // Breadth first from ".", each folder's children in byte order: the order Apple's tools write.
  const order: Array<{ path: string; parentId: number }> = [{ path: '.', parentId: 0 }];
  const indices: Buffer[] = [];
  for (let i = 0; i < order.length; i++) {
    const { path, parentId } = order[i];
    const entry = byPath.get(path)!;
    const id = i + 1;
    const data = entry.data ?? Buffer.alloc(0);
    const isDir = (entry.mode & S_IFDIR) === S_IFDIR;
    const info2 = Buffer.concat([
      Buffer.from([isDir ? TYPE_DIR : TYPE_FILE, 1]),
      u16(3),
      u16(entry.mode & 0xffff),
      u32(entry.uid),
      u32(entry.gid),
      u32(entry.mtime),
      u32(isDir ? 0 : data.length),
      Buffer.from([1]),
      u32(isDir ? 0 : posixCksum(data)),
      u32(0),
    ]);
    const info1 = Buffer.concat([u32(id), u32(store.add(info2))]);
    const info1Index = store.add(info1);
    const name = path === '.' ? '.' : path.slice(path.lastIndexOf('/') + 1);
    const fileIndex = store.add(Buffer.concat([u32(parentId), Buffer.from(name, 'utf8'), Buffer.from([0])]));
    indices.push(Buffer.concat([u32(info1Index), u32(fileIndex)]));
    const below = (children.get(path) ?? []).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const child of below) order.push({ path: child, parentId: id });
  }
  const leaf = Buffer.concat([u16(1), u16(indices.length), u32(0), u32(0), ...indices]);
  store.addVar('Paths', tree(store.add(leaf), entries.length));
  store.addVar('HLIndex', tree(store.add(emptyLeaf()), 0));
  const vtree = store.add(tree(store.add(emptyLeaf()), 0, 128));
  store.addVar('VIndex', Buffer.concat([u32(1), u32(vtree), u32(0), Buffer.from([0])]));
  store.addVar('Size64', tree(store.add(emptyLeaf()), 0));
  return store.write();
}
