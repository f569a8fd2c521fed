// PKCS#12 (RFC 7292) soft cards for the demo: keys as PBES2/PBKDF2/AES-256-CBC shrouded key bags (Node's PKCS#8 export),
// certificates in a plain data bag, integrity by HMAC-SHA-256 with the PKCS#12 key derivation. OpenSSL 3 opens these without -legacy.
import { createHash, createHmac, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { der } from '../server/pki/index';

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha256: '2.16.840.1.101.3.4.2.1',
};

const MAC_ITERATIONS = 2048;

export interface P12Entry {
  friendlyName: string;
  privateKey: KeyObject;
  certDer: Buffer;
}

function bmpPassword(password: string): Buffer {
  const b = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) b.writeUInt16BE(password.charCodeAt(i), i * 2);
  return b;
}

function bmp(s: string): Buffer {
  const b = Buffer.alloc(s.length * 2);
  for (let i = 0; i < s.length; i++) b.writeUInt16BE(s.charCodeAt(i), i * 2);
  return der.tlv(der.Tag.BMPString, b);
}

/** RFC 7292 Appendix B.2 key derivation with SHA-256 (u = 32, v = 64); id 3 = MAC key. */
export function pkcs12Kdf(password: string, salt: Buffer, id: number, iterations: number, length: number): Buffer {
  const u = 32;
  const v = 64;
  const fill = (src: Buffer) => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length];
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(bmpPassword(password))]);
  const blocks: Buffer[] = [];
  for (let made = 0; made < length; made += u) {
    let A = createHash('sha256').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha256').update(A).digest();
    blocks.push(A);
    const B = BigInt('0x' + fill(A).subarray(0, v).toString('hex'));
    const mod = 1n << BigInt(v * 8);
    for (let j = 0; j < I.length; j += v) {
      const Ij = BigInt('0x' + I.subarray(j, j + v).toString('hex'));
      const sum = ((Ij + B + 1n) % mod).toString(16).padStart(v * 2, '0');
      Buffer.from(sum, 'hex').copy(I, j);
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function attributes(friendlyName: string, localKeyId: Buffer): Buffer {
  return der.set(
    der.seq(der.oid(OIDS.friendlyName), der.set(bmp(friendlyName))),
    der.seq(der.oid(OIDS.localKeyId), der.set(der.octet(localKeyId))),
  );
}

const dataContentInfo = (body: Buffer) => der.seq(der.oid(OIDS.data), der.explicit(0, der.octet(body)));

export function buildPkcs12(entries: P12Entry[], password: string): Buffer {
  const keyBags: Buffer[] = [];
  const certBags: Buffer[] = [];
  for (const entry of entries) {
    const localKeyId = createHash('sha1').update(entry.certDer).digest();
    const encrypted = entry.privateKey.export({
      type: 'pkcs8',
      format: 'der',
      cipher: 'aes-256-cbc',
      passphrase: password,
    }) as Buffer;
    keyBags.push(
      der.seq(der.oid(OIDS.shroudedKeyBag), der.explicit(0, encrypted), attributes(entry.friendlyName, localKeyId)),
    );
    certBags.push(
      der.seq(
        der.oid(OIDS.certBag),
        der.explicit(0, der.seq(der.oid(OIDS.x509Certificate), der.explicit(0, der.octet(entry.certDer)))),
        attributes(entry.friendlyName, localKeyId),
      ),
    );
  }
  const authSafe = der.seq(dataContentInfo(der.seq(...keyBags)), dataContentInfo(der.seq(...certBags)));
  const salt = randomBytes(16);
  const macKey = pkcs12Kdf(password, salt, 3, MAC_ITERATIONS, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  return der.seq(
    der.int(3),
    dataContentInfo(authSafe),
    der.seq(
      der.seq(der.seq(der.oid(OIDS.sha256), der.nul()), der.octet(mac)),
      der.octet(salt),
      der.int(MAC_ITERATIONS),
    ),
  );
}

export class Pkcs12Error extends Error {
  override name = 'Pkcs12Error';
}

export interface OpenedEntry {
  friendlyName: string;
  privateKey?: KeyObject;
  certDer?: Buffer;
}

/** Opens a PKCS#12 made by buildPkcs12 (plain data bags, SHA-256 MAC); throws Pkcs12Error on a wrong PIN. */
export function openPkcs12(p12: Buffer, password: string): OpenedEntry[] {
  const pfx = der.children(p12, der.expect(p12, 0, der.Tag.SEQUENCE));
  const authSafeInfo = der.children(p12, pfx[1]);
  const authSafeOctets = der.readTlv(p12, authSafeInfo[1].start);
  const authSafe = der.content(p12, authSafeOctets);
  const macData = der.children(p12, pfx[2]);
  const digestInfo = der.children(p12, macData[0]);
  const expected = der.content(p12, digestInfo[1]);
  const salt = der.content(p12, macData[1]);
  const iterations = Number(der.decodeInteger(der.content(p12, macData[2])));
  const mac = createHmac('sha256', pkcs12Kdf(password, salt, 3, iterations, 32))
    .update(authSafe)
    .digest();
  if (!mac.equals(expected)) throw new Pkcs12Error('PKCS#12 MAC does not verify: wrong PIN');
  const byId = new Map<string, OpenedEntry>();
  for (const info of der.children(authSafe, der.readTlv(authSafe, 0))) {
    const parts = der.children(authSafe, info);
    const octets = der.readTlv(authSafe, parts[1].start);
    const contents = der.content(authSafe, octets);
    for (const bag of der.children(contents, der.readTlv(contents, 0))) {
      const [idTlv, valueTlv, attrsTlv] = der.children(contents, bag);
      const bagId = der.decodeOid(der.content(contents, idTlv));
      let friendlyName = '';
      let localKeyId = '';
      for (const attr of attrsTlv ? der.children(contents, attrsTlv) : []) {
        const [aid, values] = der.children(contents, attr);
        const value = der.children(contents, values)[0];
        const type = der.decodeOid(der.content(contents, aid));
        if (type === OIDS.friendlyName)
          friendlyName = Buffer.from(der.content(contents, value)).swap16().toString('utf16le');
        if (type === OIDS.localKeyId) localKeyId = der.content(contents, value).toString('hex');
      }
      const entry = byId.get(localKeyId) ?? { friendlyName };
      byId.set(localKeyId, entry);
      const inner = der.readTlv(contents, valueTlv.start);
      if (bagId === OIDS.shroudedKeyBag) {
        entry.privateKey = createPrivateKey({
          key: Buffer.from(der.whole(contents, inner)),
          format: 'der',
          type: 'pkcs8',
          passphrase: password,
        });
      } else if (bagId === OIDS.certBag) {
        const certParts = der.children(contents, inner);
        entry.certDer = Buffer.from(der.content(contents, der.readTlv(contents, certParts[1].start)));
      }
    }
  }
  return [...byId.values()];
}
