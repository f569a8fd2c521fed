// A minimal DER TLV reader. node-forge gives us the ASN.1 structure but not byte offsets; signature checks need the
// exact bytes that were signed (the TBSCertificate, X.690 §8.1), so we slice them out of the input instead of re-encoding.

export interface Tlv {
  tag: number;
  /** offset of the first content byte */
  start: number;
  /** offset after the last content byte */
  end: number;
  /** offset of the tag byte */
  offset: number;
}

/** Reads one definite-length TLV at `offset` (X.690 §8.1.2–8.1.3); returns null when it does not fit in `buf`. */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv | null {
  if (offset + 2 > limit) return null;
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) return null; // high tag numbers never appear where we slice
  let pos = offset + 1;
  const first = buf[pos++];
  let len: number;
  if (first < 0x80) {
    len = first;
  } else {
    const n = first & 0x7f;
    // 0x80 is BER indefinite length; DER forbids it (X.690 §10.1). More than 4 length bytes is never a sane size here.
    if (n === 0 || n > 4 || pos + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
    // DER uses the shortest length form (X.690 §10.1).
    if (len < 0x80 || (n > 1 && buf[pos - n] === 0)) return null;
  }
  if (pos + len > limit) return null;
  return { tag, start: pos, end: pos + len, offset };
}

/** Children of a constructed TLV, or null when they do not tile its content exactly. */
export function readChildren(buf: Uint8Array, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const child = readTlv(buf, pos, parent.end);
    if (!child) return null;
    out.push(child);
    pos = child.end;
  }
  return out;
}
