// Making signatures in the MOICA component's two formats, for tests of the engine's signature check: raw PKCS#1 v1.5 over
// SHA-256, and CMS SignedData with signed attributes contentType, messageDigest and signingTime (RFC 5652 §5.3),
// content attached or detached. node-forge builds the CMS structure.
import { sign } from 'node:crypto';
import forge from 'node-forge';

export interface CmsSignOptions {
  /** the text (UTF-8) or bytes to sign */
  content: string | Buffer;
  /** the signer's certificate, PEM */
  certificatePem: string;
  /** the signer's RSA private key, PEM (PKCS#1 or PKCS#8) */
  privateKeyPem: string;
  /** leave the content out of the SignedData (the verifier supplies it) */
  detached?: boolean;
  signingTime?: Date;
}

/** CMS SignedData, DER. */
export function createCmsSignature(opts: CmsSignOptions): Buffer {
  const p7 = forge.pkcs7.createSignedData();
  const bytes = typeof opts.content === 'string' ? Buffer.from(opts.content, 'utf8') : opts.content;
  p7.content = forge.util.createBuffer(bytes.toString('latin1'));
  const certificate = forge.pki.certificateFromPem(opts.certificatePem);
  p7.addCertificate(certificate);
  p7.addSigner({
    key: forge.pki.privateKeyFromPem(opts.privateKeyPem) as forge.pki.rsa.PrivateKey,
    certificate,
    digestAlgorithm: forge.pki.oids.sha256,
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType, value: forge.pki.oids.data },
      { type: forge.pki.oids.messageDigest },
      { type: forge.pki.oids.signingTime, value: (opts.signingTime ?? new Date()) as unknown as string },
    ],
  });
  p7.sign({ detached: opts.detached ?? false });
  const asn1 = p7.toAsn1();
  // forge re-encodes the issuer name from its parsed form and double-encodes UTF8String values (行政院 comes out as
  // mojibake), so the sid would not name the certificate. The sid is not signed: put the certificate's own issuer bytes in.
  const signerInfo = signerInfoOf(asn1);
  signerInfo.value[1] = exactIssuerAndSerial(opts.certificatePem);
  // the same re-encoding would also break the embedded certificate's own signature: embed the exact DER instead
  const signedData = (asn1 as Node).value[1].value[0];
  const certs = signedData.value.find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
  if (certs) certs.value = [forge.asn1.fromDer(forge.pem.decode(opts.certificatePem)[0].body) as Node];
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'latin1');
}

type Node = forge.asn1.Asn1 & { value: Node[] };

function signerInfoOf(contentInfo: forge.asn1.Asn1): Node {
  const signedData = (contentInfo as Node).value[1].value[0];
  const signerInfos = signedData.value[signedData.value.length - 1];
  return signerInfos.value[0];
}

/** IssuerAndSerialNumber (RFC 5652 §10.2.4) from the certificate's exact DER fields. */
function exactIssuerAndSerial(certificatePem: string): Node {
  const der = forge.pem.decode(certificatePem)[0].body;
  const tbs = (forge.asn1.fromDer(der) as Node).value[0];
  const base = tbs.value[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const serial = tbs.value[base];
  const issuer = tbs.value[base + 2];
  return forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SEQUENCE, true, [issuer, serial]) as Node;
}

/** Raw RSA PKCS#1 v1.5 signature over SHA-256 of the UTF-8 text. */
export function createPkcs1Signature(content: string | Buffer, privateKeyPem: string): Buffer {
  return sign('sha256', typeof content === 'string' ? Buffer.from(content, 'utf8') : content, privateKeyPem);
}
