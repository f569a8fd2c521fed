// Reads an operator's certificate from a PEM (or DER) file into the fields a binding stores (DESIGN.md §3 "Identity"),
// with the PKI engine's parser, so issuer, serial and fingerprint are written exactly as the login looks them up.
import type { NewBinding } from '../db/certificates-repository';
import { parseCertificate, readProfile } from '../pki/index';

export class CertificateFileError extends Error {}

export function bindingFromCertificateFile(contents: Buffer, accountId: number): NewBinding {
  const text = contents.toString('latin1');
  const parsed = parseCertificate(text.includes('-----BEGIN') ? text : contents);
  if (!parsed.ok) throw new CertificateFileError(`not a certificate (PEM or DER): ${parsed.detail}`);
  const profile = readProfile(parsed.cert);
  if (!profile.commonName) throw new CertificateFileError('the certificate has no CN in its subject');
  // A MOICA card holds a signing and an encryption certificate; login signs, so only the signing one can ever match.
  if (profile.use === 'encryption')
    throw new CertificateFileError("this is the card's encryption certificate; bind its signing certificate");
  return {
    accountId,
    issuerDn: profile.issuer,
    serialHex: profile.serial,
    fingerprintSha256: profile.fingerprint,
    subjectCn: profile.commonName,
    subjectSerial: profile.subjectSerialNumber ?? null,
    cardSerial: profile.cardSerial ?? null,
    idLast4: profile.idLast4 ?? null,
    notBefore: profile.notBefore,
    notAfter: profile.notAfter,
    der: parsed.cert.der,
  };
}
