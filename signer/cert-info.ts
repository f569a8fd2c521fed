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
    for (const extension of ((field.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[])) {
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

function dn(text: string): string {
  return text.split('\n').filter(Boolean).join(', ');
}

export function describeCertificate(der: Buffer): CertificateInfo {
  const x509 = new X509Certificate(der);
  const keyUsage = keyUsageOf(der);
  const usage: CertificateUsage = keyUsage.includes('digitalSignature')
    ? 'signing'
    : keyUsage.includes('keyEncipherment') || keyUsage.includes('dataEncipherment')
      ? 'encryption'
      : 'other';
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x509.subject);
  return {
    usage,
    keyUsage,
    subjectDN: dn(x509.subject),
    issuerDN: dn(x509.issuer),
    serialNumber: x509.serialNumber.toUpperCase(),
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: new Date(x509.validTo).toISOString(),
    commonName: cn ? cn[1] : '',
    der,
  };
}

/** The public key of a certificate as SPKI DER, to match it with a private key. */
export function publicKeyOf(der: Buffer): Buffer {
  return new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
}
