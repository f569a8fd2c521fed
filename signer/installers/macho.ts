// Removes the code signature of a 64-bit Mach-O executable, as `codesign --remove-signature` does: the
// LC_CODE_SIGNATURE load command goes, the signature at the end of __LINKEDIT is cut off, __LINKEDIT shrinks.
// Node's official macOS binary is signed; once the single-executable blob is injected that signature no longer
// matches, and macOS refuses a binary whose signature is broken where it runs one that has none.
const MH_MAGIC_64 = 0xfeedfacf;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const HEADER_SIZE = 32;

export interface MachOLoadCommand {
  cmd: number;
  offset: number;
  size: number;
  /** For LC_SEGMENT_64: the segment's name. */
  segname?: string;
}

export function machoLoadCommands(binary: Buffer): MachOLoadCommand[] {
  if (binary.length < HEADER_SIZE || binary.readUInt32LE(0) !== MH_MAGIC_64) {
    throw new Error('not a 64-bit little-endian Mach-O file');
  }
  const count = binary.readUInt32LE(16);
  const commands: MachOLoadCommand[] = [];
  let offset = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const cmd = binary.readUInt32LE(offset);
    const size = binary.readUInt32LE(offset + 4);
    const segname =
      cmd === LC_SEGMENT_64
        ? binary
            .subarray(offset + 8, offset + 24)
            .toString('latin1')
            .replace(/\0+$/, '')
        : undefined;
    commands.push({ cmd, offset, size, segname });
    offset += size;
  }
  return commands;
}

export function hasCodeSignature(binary: Buffer): boolean {
  return machoLoadCommands(binary).some((c) => c.cmd === LC_CODE_SIGNATURE);
}

export function removeCodeSignature(input: Buffer): Buffer {
  const commands = machoLoadCommands(input);
  const signature = commands.find((c) => c.cmd === LC_CODE_SIGNATURE);
  if (!signature) return input;
  const linkedit = commands.find((c) => c.segname === '__LINKEDIT');
  if (!linkedit) throw new Error('Mach-O file has a signature but no __LINKEDIT segment');
  const dataOffset = input.readUInt32LE(signature.offset + 8);
  const dataSize = input.readUInt32LE(signature.offset + 12);
  // The signature is the last thing in the file (codesign pads it a little): nothing after it is lost.
  if (dataOffset + dataSize > input.length || input.length - (dataOffset + dataSize) > 4096) {
    throw new Error('Mach-O code signature is not at the end of the file');
  }
  const fileOffset = Number(input.readBigUInt64LE(linkedit.offset + 40));
  if (dataOffset < fileOffset) throw new Error('Mach-O code signature is not inside __LINKEDIT');

  const output = Buffer.from(input.subarray(0, dataOffset));
  // __LINKEDIT now ends where the signature began; its memory size is rounded up to a 4 KiB page.
  const fileSize = dataOffset - fileOffset;
  output.writeBigUInt64LE(BigInt(fileSize), linkedit.offset + 48);
  output.writeBigUInt64LE(BigInt(Math.ceil(fileSize / 4096) * 4096), linkedit.offset + 32);
  // The load commands after the signature's move up over it; the freed bytes become zeros.
  const end = HEADER_SIZE + input.readUInt32LE(20);
  input.copy(output, signature.offset, signature.offset + signature.size, end);
  output.fill(0, end - signature.size, end);
  output.writeUInt32LE(input.readUInt32LE(16) - 1, 16);
  output.writeUInt32LE(input.readUInt32LE(20) - signature.size, 20);
  return output;
}
