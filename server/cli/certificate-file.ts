// Reads an operator's certificate from a PEM (or DER) file into the fields a binding stores (DESIGN.md §3 "Identity").
import { X509Certificate } from 'node:crypto';
import type { NewBinding } from '../db/certificates-repository';

export class CertificateFileError extends Error {}

/** "C=TW\nO=行政院\nOU=…" as Node prints it becomes "C=TW, O=行政院, OU=…", the form the portal stores and matches. */
function oneLineDn(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

function attribute(dn: string, name: string): string | undefined {
  const line = dn.split('\n').find((l) => l.startsWith(`${name}=`));
  return line?.slice(name.length + 1);
}

export function bindingFromCertificateFile(contents: Buffer, accountId: number): NewBinding {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(contents);
  } catch (error) {
    throw new CertificateFileError(`not a certificate (PEM or DER): ${(error as Error).message}`);
  }
  const subjectCn = attribute(cert.subject, 'CN');
  if (!subjectCn) throw new CertificateFileError('the certificate has no CN in its subject');
  return {
    accountId,
    issuerDn: oneLineDn(cert.issuer),
    // Upper-case hex without a sign byte, as the PKI engine writes serials.
    serialHex: cert.serialNumber.toUpperCase().replace(/^(00)+(?=[0-9A-F])/, ''),
    fingerprintSha256: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
    subjectCn,
    subjectSerial: attribute(cert.subject, 'serialNumber') ?? null,
    cardSerial: null,
    // The last four ID digits sit in subjectDirectoryAttributes, which Node does not decode; login does not need them.
    idLast4: null,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    der: cert.raw,
  };
}
