// What the signer tells a page about a certificate on a card, and which one may sign.
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export type CertificateUsage = 'signing' | 'encryption' | 'other';

export interface CertificateInfo {
  usage: CertificateUsage;
  keyUsage: string[];
  subjectDN: string;
  issuerDN: string;
  /** Hex, upper case, as HiPKI shows it. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** The holder's name (CN). */
  commonName: string;
  /** The subject's serialNumber attribute (the MOICA's 16-character holder identifier), '' when absent. */
  subjectSerialNumber: string;
  /** An e-mail address of the subject (subjectAltName rfc822Name or the DN's emailAddress), '' when none. */
  email: string;
  /** The subject's and issuer's attributes in certificate order, e.g. ['C=TW', 'CN=王小明']. */
  subjectRdns: string[];
  issuerRdns: string[];
  /** A CA certificate kept on the card beside the holder's (basicConstraints cA or keyCertSign). */
  isCA: boolean;
  /** The token object's label and id (PKCS#11 CKA_LABEL, CKA_ID as hex), where the back end has them. */
  label?: string;
  objectId?: string;
  der: Buffer;
}

const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** keyUsage (2.5.29.15) read from the DER directly, so any key type works. */
// node-forge accepts an options object here; its type declarations only know the older boolean.
const fromDer = forge.asn1.fromDer as unknown as (
  input: string | forge.util.ByteStringBuffer,
  options: { decodeBitStrings: boolean },
) => forge.asn1.Asn1;

function keyUsageOf(der: Buffer): string[] {
  const asn1 = fromDer(forge.util.createBuffer(der.toString('binary')), { decodeBitStrings: false });
  const tbs = (asn1.value as forge.asn1.Asn1[])[0];
  for (const field of tbs.value as forge.asn1.Asn1[]) {
    if (field.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC || field.type !== 3) continue;
    for (const extension of (field.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[]) {
      const parts = extension.value as forge.asn1.Asn1[];
      if (forge.asn1.derToOid(parts[0].value as string) !== '2.5.29.15') continue;
      const octets = parts[parts.length - 1].value as string;
      const bitString = fromDer(octets, { decodeBitStrings: false });
      const bytes = (bitString.value as string).slice(1); // first byte: unused bits
      const names: string[] = [];
      KEY_USAGE_BITS.forEach((name, bit) => {
        const byte = bytes.charCodeAt(bit >> 3) || 0;
        if (byte & (0x80 >> (bit & 7))) names.push(name);
      });
      return names;
    }
  }
  return [];
}

function rdns(text: string): string[] {
  return text.split('\n').filter(Boolean);
}

function attribute(lines: string[], name: string): string {
  const line = lines.find((l) => l.startsWith(`${name}=`));
  return line ? line.slice(name.length + 1) : '';
}

export function describeCertificate(der: Buffer): CertificateInfo {
  const x509 = new X509Certificate(der);
  const keyUsage = keyUsageOf(der);
  const isCA = x509.ca || keyUsage.includes('keyCertSign');
  // A CA certificate on the card never signs for the holder, whatever its key usage says.
  const usage: CertificateUsage = isCA
    ? 'other'
    : keyUsage.includes('digitalSignature')
      ? 'signing'
      : keyUsage.includes('keyEncipherment') || keyUsage.includes('dataEncipherment')
        ? 'encryption'
        : 'other';
  const subjectRdns = rdns(x509.subject);
  const issuerRdns = rdns(x509.issuer);
  const altEmail = /(?:^|, )email:([^,\s]+)/.exec(x509.subjectAltName ?? '');
  return {
    usage,
    keyUsage,
    subjectDN: subjectRdns.join(', '),
    issuerDN: issuerRdns.join(', '),
    serialNumber: x509.serialNumber.toUpperCase(),
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: new Date(x509.validTo).toISOString(),
    commonName: attribute(subjectRdns, 'CN'),
    subjectSerialNumber: attribute(subjectRdns, 'serialNumber'),
    email: altEmail ? altEmail[1] : attribute(subjectRdns, 'emailAddress'),
    subjectRdns,
    issuerRdns,
    isCA,
    der,
  };
}

/** The public key of a certificate as SPKI DER, to match it with a private key. */
export function publicKeyOf(der: Buffer): Buffer {
  return new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
}
