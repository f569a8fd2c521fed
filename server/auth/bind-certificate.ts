// Turning a verified identity into a certificates row.
import type { CertificateIdentity } from './certificate-identity';
import type { NewBinding } from '../db/certificates-repository';

export function bindingFor(accountId: number, identity: CertificateIdentity): NewBinding {
  return {
    accountId,
    issuerDn: identity.issuerDn,
    serialHex: identity.serialHex,
    fingerprintSha256: identity.fingerprintSha256,
    subjectCn: identity.subjectCn,
    subjectSerial: identity.subjectSerial,
    cardSerial: identity.cardSerial,
    idLast4: identity.idLast4,
    notBefore: new Date(identity.notBefore),
    notAfter: new Date(identity.notAfter),
    der: Buffer.from(identity.derBase64, 'base64'),
  };
}
