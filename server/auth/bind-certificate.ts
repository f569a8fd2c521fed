// Turning a verified identity into a certificates row.
import type { CertificateIdentity } from './certificate-identity';
import type { NewBinding } from '../db/certificates-repository';

/** The organisation an organisation certificate names (統一編號, or 機關代碼 for 政府憑證); null for a citizen card. */
export function organisationIdOf(identity: CertificateIdentity): string | null {
  const o = identity.organisation;
  if (!o) return null;
  if (o.issuerKind === 'gca') return o.agencyCode ?? null;
  if (o.issuerKind === 'moeaca' || o.issuerKind === 'configured') return o.businessId ?? null;
  return null;
}

export function bindingFor(accountId: number, identity: CertificateIdentity): NewBinding {
  return {
    organisationId: organisationIdOf(identity),
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
