// What the portal keeps of a verified card certificate: enough to bind it and to show it (DESIGN.md §3 "Identity").
import type { OrganisationProfile } from '../pki/index';

export interface CertificateIdentity {
  fingerprintSha256: string;
  issuerDn: string;
  serialHex: string;
  subjectCn: string;
  subjectSerial: string | null;
  idLast4: string | null;
  cardSerial: string | null;
  notBefore: string; // ISO time: the identity travels through JSON (challenge result, session)
  notAfter: string;
  derBase64: string;
  /**
   * The organisation fields (工商憑證, 政府憑證, 通關專屬憑證: 統一編號, name, 機關代碼, card rank) and the kind of CA
   * that issued it. Absent on an identity kept from before they were read; every certificate has them now.
   */
  organisation?: OrganisationProfile;
}

export type SignatureFormat = 'PKCS1' | 'PKCS7';

export type CertificateCheck =
  { ok: true; identity: CertificateIdentity } | { ok: false; reason: string; detail?: string };

/** The portal's view of the certificate engine (server/pki), so auth code does not depend on its internals. */
export interface CardVerifier {
  /** Parse, validity, signing purpose, chain to a trust anchor, revocation — first failure wins. */
  verifyCertificate(certificateBase64: string, now: Date): Promise<CertificateCheck>;
  /** The signature over tbs, by the key of the certificate (already verified). */
  verifySignature(
    tbs: string,
    signatureBase64: string,
    format: SignatureFormat,
    certificateDer: Buffer,
  ): { ok: true } | { ok: false; reason: string };
}
