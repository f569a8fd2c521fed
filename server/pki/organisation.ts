// Organisation certificates: the MOEACA business certificate (工商憑證), the GCA government certificate (政府憑證) and
// the customs-only certificate (通關專屬憑證) whose CA is configured trust (TRUST_DIR). Where each puts the
// organisation's identity, and the sources, are in docs/pki.md "Organisation profiles". Like the MOICA profile this
// reads fields and never fails; checkOrganisationCertificate then refuses with one reason of a closed list.
import { T, UNIVERSAL, directoryString, oid, type Node } from './asn1.js';
import { nameAttribute, type Name } from './names.js';
import { OID } from './oids.js';
import type { Certificate } from './parse.js';
import type { TrustAnchor } from './trust-store.js';

/** Which kind of CA issued a certificate, by the issuer's OU (the GPKI CAs share C=TW, O=行政院) or by its anchor. */
export type IssuerKind = 'moica' | 'moeaca' | 'gca' | 'configured' | 'other';

/** The OU of each GPKI CA named in an issuer DN (trust/gpki/README.md; GCA from public client code, docs/pki.md). */
export const GPKI_CA_UNITS: Readonly<Record<'moica' | 'moeaca' | 'gca', string>> = {
  moica: '內政部憑證管理中心',
  moeaca: '工商憑證管理中心',
  gca: '政府憑證管理中心',
};

export const MOEACA_ISSUER_DN = 'C=TW, O=行政院, OU=工商憑證管理中心';
export const GCA_ISSUER_DN = 'C=TW, O=行政院, OU=政府憑證管理中心';

/** A business certificate's card rank (subjectDirectoryAttributes 2.16.886.1.100.2.2): 正卡 or 附卡. */
export type CardRank = 'primary' | 'secondary';

export interface OrganisationProfile {
  issuerKind: IssuerKind;
  /** 統一編號: subjectDirectoryAttributes 2.16.886.1.100.2.101, else an eight-digit subject serialNumber */
  businessId?: string;
  /** where businessId was read */
  businessIdFrom?: 'directory_attribute' | 'subject_serial_number';
  /** both places hold a 統一編號 and they differ */
  businessIdConflict: boolean;
  /** the organisation's name: subject O, else CN */
  organisationName?: string;
  /** 機關代碼 of a government certificate: subjectDirectoryAttributes 2.16.886.1.100.2.102 (a string or an OID) */
  agencyCode?: string;
  cardRank?: CardRank;
  /** the GPKI subject class (2.16.886.1.100.2.1), an OID, as the CA wrote it */
  subjectType?: string;
}

/** Why an organisation certificate is refused for the use asked (routes map each to a message). */
export type OrganisationReason =
  | 'not_business_certificate' // a business category was signed with something other than a MOEACA certificate
  | 'not_government_certificate' // 政府機關 signed with something other than a GCA certificate
  | 'not_customs_certificate' // 通關專屬憑證註冊 with a certificate that does not chain to a configured (TRUST_DIR) root
  | 'business_id_missing' // no eight-digit 統一編號 in the certificate
  | 'business_id_conflict' // the directory attribute and the subject serialNumber name different 統一編號
  | 'agency_code_missing' // a GCA certificate without 機關代碼
  | 'organisation_name_missing'; // neither O nor CN names the organisation

const ORGANISATION_REASON_KEYS: Record<OrganisationReason, true> = {
  not_business_certificate: true,
  not_government_certificate: true,
  not_customs_certificate: true,
  business_id_missing: true,
  business_id_conflict: true,
  agency_code_missing: true,
  organisation_name_missing: true,
};

/** Every OrganisationReason (a reason added to the union and not here does not compile). */
export const ORGANISATION_REASONS = Object.keys(ORGANISATION_REASON_KEYS) as readonly OrganisationReason[];

/** The certificate a use asks for: a 工商憑證, a 政府憑證, or a 通關專屬憑證. */
export type OrganisationCertificate = 'moeaca' | 'gca' | 'customs';

function attributeText(node: Node | undefined): string | undefined {
  if (!node || node.tagClass !== UNIVERSAL || node.constructed) return undefined;
  try {
    if (node.type === T.OID) return oid(node, 'attribute value');
    return directoryString(node, 'attribute value');
  } catch {
    return undefined;
  }
}

function directoryAttribute(cert: Certificate, type: string): string | undefined {
  const attr = cert.ext.subjectDirectoryAttributes?.find((a) => a.type === type);
  const text = attr ? attributeText(attr.values[0]) : undefined;
  return text === undefined ? undefined : text.trim();
}

function issuerUnit(issuer: Name): string | undefined {
  return nameAttribute(issuer, OID.organizationalUnitName);
}

/** The issuer's kind: a GPKI CA by its OU under C=TW, O=行政院; else configured trust when its anchor came from TRUST_DIR. */
export function issuerKindOf(cert: Certificate, anchor?: Pick<TrustAnchor, 'configured'>): IssuerKind {
  const government = nameAttribute(cert.issuer, OID.organizationName) === '行政院';
  const unit = issuerUnit(cert.issuer);
  if (government && unit) {
    for (const [kind, name] of Object.entries(GPKI_CA_UNITS)) if (unit === name) return kind as IssuerKind;
  }
  return anchor?.configured ? 'configured' : 'other';
}

const EIGHT_DIGITS = /^\d{8}$/;

/** Reads the organisation fields of a certificate; `anchor` (the end of its validated path) tells configured trust. */
export function readOrganisationProfile(
  cert: Certificate,
  anchor?: Pick<TrustAnchor, 'configured'>,
): OrganisationProfile {
  const fromAttribute = directoryAttribute(cert, OID.uniformOrganizationId);
  const serial = nameAttribute(cert.subject, OID.serialNumber)?.trim();
  const attributeId = fromAttribute && EIGHT_DIGITS.test(fromAttribute) ? fromAttribute : undefined;
  const serialId = serial && EIGHT_DIGITS.test(serial) ? serial : undefined;
  const rank = directoryAttribute(cert, OID.moeacaCardRank)?.toLowerCase();
  const name =
    nameAttribute(cert.subject, OID.organizationName)?.trim() || nameAttribute(cert.subject, OID.commonName)?.trim();
  return {
    issuerKind: issuerKindOf(cert, anchor),
    businessId: attributeId ?? serialId,
    businessIdFrom: attributeId ? 'directory_attribute' : serialId ? 'subject_serial_number' : undefined,
    businessIdConflict: attributeId !== undefined && serialId !== undefined && attributeId !== serialId,
    organisationName: name || undefined,
    agencyCode: directoryAttribute(cert, OID.gcaAgencyCode) || undefined,
    cardRank: rank === 'primary' || rank === 'secondary' ? rank : undefined,
    subjectType: directoryAttribute(cert, OID.gpkiSubjectType),
  };
}

/**
 * Whether a validated certificate is the organisation certificate a use asks for, with what it must name. The order:
 * the issuer first (a citizen card on a company page is told so, not "no 統一編號"), then the identity fields.
 */
export function checkOrganisationCertificate(
  profile: OrganisationProfile,
  wanted: OrganisationCertificate,
): OrganisationReason | undefined {
  if (wanted === 'moeaca' && profile.issuerKind !== 'moeaca') return 'not_business_certificate';
  if (wanted === 'gca' && profile.issuerKind !== 'gca') return 'not_government_certificate';
  if (wanted === 'customs' && profile.issuerKind !== 'configured') return 'not_customs_certificate';
  if (!profile.organisationName) return 'organisation_name_missing';
  if (wanted === 'gca') return profile.agencyCode ? undefined : 'agency_code_missing';
  if (profile.businessIdConflict) return 'business_id_conflict';
  if (!profile.businessId) return 'business_id_missing';
  return undefined;
}
