// CMS SignedData (RFC 5652 §5) with signed attributes, the "PKCS7" answer of the MOICA component.
// The RSA signature over the DigestInfo of the signed attributes comes from a callback, so the same code serves a
// soft key and a PKCS#11 token.
import { digest, digestInfo, HASH_OID, type HashName } from './digests.js';
// The portal's DER module, through the engine's public API: the bundle keeps only what is used (build.ts).
import { der } from '../server/pki/index.js';

const { children, explicit, int, nul, octet, oid, readTlv, seq, set, time, whole } = der;

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
};

/** The issuer Name and serialNumber of a certificate, as their original DER bytes (RFC 5652 §10.2.4). */
export function issuerAndSerialNumber(certificateDer: Buffer): Buffer {
  const certificate = readTlv(certificateDer, 0);
  const tbs = children(certificateDer, certificate)[0];
  const fields = children(certificateDer, tbs);
  const hasVersion = fields[0].tag === 0xa0; // [0] EXPLICIT version
  const serial = fields[hasVersion ? 1 : 0];
  const issuer = fields[hasVersion ? 3 : 2];
  return seq(whole(certificateDer, issuer), whole(certificateDer, serial));
}

export interface SignedDataInput {
  content: Buffer;
  certificateDer: Buffer;
  /** Leave the content out (a "detached" signature); the verifier supplies it. */
  detached?: boolean;
  signingTime?: Date;
  /** The digest of the content and of the signed attributes; default SHA-256. */
  hash?: HashName;
  /** RSASSA-PKCS1-v1_5 over a DigestInfo. */
  signDigestInfo: (digestInfo: Buffer) => Promise<Buffer>;
}

export async function createSignedData(input: SignedDataInput): Promise<Buffer> {
  const hash = input.hash ?? 'sha256';
  const contentDigest = digest(hash, input.content);
  const digestAlgorithm = seq(oid(HASH_OID[hash]), nul());
  const attributes = [
    seq(oid(OID.contentType), set(oid(OID.data))),
    seq(oid(OID.signingTime), set(time(input.signingTime ?? new Date()))),
    seq(oid(OID.messageDigest), set(octet(contentDigest))),
  ];
  // Signed over as an explicit SET OF (tag 0x31), carried as [0] IMPLICIT (tag 0xA0): RFC 5652 §5.4.
  const signedAttributes = set(...attributes);
  const signature = await input.signDigestInfo(digestInfo(hash, digest(hash, signedAttributes)));
  const signerInfo = seq(
    int(1),
    issuerAndSerialNumber(input.certificateDer),
    digestAlgorithm,
    Buffer.concat([Buffer.from([0xa0]), signedAttributes.subarray(1)]),
    seq(oid(OID.rsaEncryption), nul()),
    octet(signature),
  );
  const encapsulated = input.detached ? seq(oid(OID.data)) : seq(oid(OID.data), explicit(0, octet(input.content)));
  const signedData = seq(
    int(1),
    set(digestAlgorithm),
    encapsulated,
    explicit(0, input.certificateDer),
    set(signerInfo),
  );
  return seq(oid(OID.signedData), explicit(0, signedData));
}
