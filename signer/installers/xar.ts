// A xar archive, the container of a macOS flat package (.pkg): a 28-byte header "xar!", the table of contents (XML,
// zlib-compressed) and the heap. The heap starts with the SHA-1 of the compressed table of contents; every file's
// bytes follow, stored as they are (Payload and Scripts are gzip files already).
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

export interface XarFile {
  /** Path inside the archive: "Distribution", "sw-signer.pkg/Payload" … */
  path: string;
  data: Buffer;
}

interface Dir {
  files: Map<string, Dir | Buffer>;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function sha1(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

export function xarArchive(files: XarFile[], created: Date): Buffer {
  const root: Dir = { files: new Map() };
  for (const file of files) {
    const parts = file.path.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      let next = dir.files.get(part);
      if (!next) dir.files.set(part, (next = { files: new Map() }));
      if (Buffer.isBuffer(next)) throw new Error(`xar: ${part} is a file and a folder`);
      dir = next;
    }
    dir.files.set(parts[parts.length - 1], file.data);
  }

  const heap: Buffer[] = [];
  let heapOffset = 20; // after the table of contents' checksum
  let id = 0;
  const render = (name: string, node: Dir | Buffer, indent: string): string => {
    id += 1;
    if (Buffer.isBuffer(node)) {
      const offset = heapOffset;
      heap.push(node);
      heapOffset += node.length;
      const sum = sha1(node);
      return `${indent}<file id="${id}">
${indent}  <name>${escapeXml(name)}</name>
${indent}  <type>file</type>
${indent}  <mode>0644</mode>
${indent}  <uid>0</uid>
${indent}  <gid>0</gid>
${indent}  <data>
${indent}    <length>${node.length}</length>
${indent}    <offset>${offset}</offset>
${indent}    <size>${node.length}</size>
${indent}    <encoding style="application/octet-stream"/>
${indent}    <archived-checksum style="sha1">${sum}</archived-checksum>
${indent}    <extracted-checksum style="sha1">${sum}</extracted-checksum>
${indent}  </data>
${indent}</file>
`;
    }
    const own = id;
    const inner = [...node.files].map(([n, child]) => render(n, child, `${indent}  `)).join('');
    return `${indent}<file id="${own}">
${indent}  <name>${escapeXml(name)}</name>
${indent}  <type>directory</type>
${indent}  <mode>0755</mode>
${indent}  <uid>0</uid>
${indent}  <gid>0</gid>
${inner}${indent}</file>
`;
  };
  const body = [...root.files].map(([name, node]) => render(name, node, '    ')).join('');
  const toc = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>
<xar>
  <toc>
    <checksum style="sha1">
      <offset>0</offset>
      <size>20</size>
    </checksum>
    <creation-time>${created.toISOString().replace(/\.\d+Z$/, '')}</creation-time>
${body}  </toc>
</xar>
`,
    'utf8',
  );
  const compressed = deflateSync(toc, { level: 9 });
  const header = Buffer.alloc(28);
  header.write('xar!', 0, 'latin1');
  header.writeUInt16BE(28, 4);
  header.writeUInt16BE(1, 6);
  header.writeBigUInt64BE(BigInt(compressed.length), 8);
  header.writeBigUInt64BE(BigInt(toc.length), 16);
  header.writeUInt32BE(1, 24); // SHA-1
  return Buffer.concat([header, compressed, createHash('sha1').update(compressed).digest(), ...heap]);
}
