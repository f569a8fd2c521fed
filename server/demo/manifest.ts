// The demo PKI as data: the manifest.json and certificate files that `npm run demo-pki` (demo-pki/) writes into
// DATA_DIR/demo-pki. Production code reads the demo anchors through this module only; it generates no key and signs
// nothing, so no code path of the portal carries the demo CAs' issuing code.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { der } from '../pki/index';

/** The demo CAs: MOICA-like G2 and G3, a MOEACA-like and a GCA-like CA under the demo root, and a customs-only CA
 * that is a root of its own (configured trust, as TRUST_DIR would hold the real one). */
export type CaId = 'g2' | 'g3' | 'moeaca' | 'gca' | 'customs';
/** Which real CA a demo CA stands for: its cards follow that CA's profile (server/pki, docs/pki.md). */
export type DemoCaKind = 'moica' | 'moeaca' | 'gca' | 'customs';
export type CardPurpose =
  'citizen' | 'customs-specialist' | 'revocation-test' | 'company' | 'government' | 'customs-only';

/** The folder of configured roots the demo reads the way TRUST_DIR is read (the customs-only CA). */
export const CONFIGURED_TRUST_FOLDER = 'customs-trust';

/** CRLReason names (RFC 5280 §5.3.1) a demo card can be revoked with, and their codes. */
export const CRL_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
} as const;
export type CrlReasonName = keyof typeof CRL_REASONS;

export interface DemoCaEntry {
  certFile: string;
  keyFile: string;
  crlFile: string;
  crlNumber: number;
  crlThisUpdate: string;
  crlNextUpdate: string;
  /** URLs of this CA's own repository: where the certificates it issues point. */
  crlUrl: string;
  ocspUrl: string;
  caIssuersUrl: string;
  subject: string;
}

export interface DemoIntermediateEntry extends DemoCaEntry {
  id: CaId;
  /** absent in a manifest made before organisation CAs existed: MOICA */
  kind?: DemoCaKind;
  /** a root of its own, trusted through CONFIGURED_TRUST_FOLDER instead of chaining to the demo root */
  configuredTrust?: boolean;
  ocspCertFile: string;
  ocspKeyFile: string;
  ocspSerial: string;
}

export interface DemoCardEntry {
  id: string;
  purpose: CardPurpose;
  holderName: string;
  idNumber: string;
  idLast4: string;
  pin: string;
  cardSerial: string;
  /** the 16-character DN serialNumber of both certificates */
  dnSerialNumber: string;
  p12File: string;
  signingCertFile: string;
  encryptionCertFile: string;
  signingSerial: string;
  encryptionSerial: string;
  issuer: CaId;
  /** an organisation card (工商憑證, 政府憑證, 通關專屬憑證): the company or agency it names */
  organisation?: DemoOrganisation;
  revoked: boolean;
  revokedAt?: string;
  revocationReason?: CrlReasonName;
}

export interface DemoOrganisation {
  /** subject O: the company or agency */
  name: string;
  /** 統一編號 (companies): in subjectDirectoryAttributes 2.16.886.1.100.2.101 and the subject serialNumber */
  businessId?: string;
  /** 機關代碼 (government): subjectDirectoryAttributes 2.16.886.1.100.2.102 */
  agencyCode?: string;
  /** the registration category the card is meant to try */
  category: string;
}

export interface DemoManifest {
  version: 1;
  createdAt: string;
  baseUrl: string;
  root: DemoCaEntry & { keyBits: number };
  intermediates: DemoIntermediateEntry[];
  cards: DemoCardEntry[];
}

export interface DemoPki {
  dir: string;
  manifest: DemoManifest;
  baseUrl: string;
  rootDer: Buffer;
  rootPem: string;
  intermediates: Array<DemoIntermediateEntry & { certDer: Buffer; certPem: string; ocspCertDer: Buffer }>;
  cards: Array<DemoCardEntry & { signingCertDer: Buffer; encryptionCertDer: Buffer; p12Path: string }>;
  /** the card with this id; throws if none */
  card(id: string): DemoPki['cards'][number];
  intermediate(id: CaId): DemoPki['intermediates'][number];
  /** absolute path of a file named in the manifest */
  path(file: string): string;
  /** the configured-trust folder (the demo's stand-in for TRUST_DIR), when this PKI has one */
  configuredTrustDir?: string;
}

/** The demo PKI directory for a data directory. */
export const demoPkiDir = (dataDir: string): string => join(dataDir, 'demo-pki');

/** True once a demo PKI has been made in `dir` (its manifest is written last). */
export const hasDemoPki = (dir: string): boolean => existsSync(join(dir, 'manifest.json'));

export function readDemoManifest(dir: string): DemoManifest {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as DemoManifest;
  if (
    manifest.version !== 1 ||
    !manifest.root ||
    !Array.isArray(manifest.intermediates) ||
    !Array.isArray(manifest.cards)
  ) {
    throw new Error(`${join(dir, 'manifest.json')} is not a demo PKI manifest`);
  }
  return manifest;
}

export function loadDemoPki(dir: string): DemoPki {
  const manifest = readDemoManifest(dir);
  const file = (f: string) => join(dir, f);
  const pem = (f: string) => readFileSync(file(f), 'utf8');
  const rootPem = pem(manifest.root.certFile);
  const intermediates = manifest.intermediates.map((i) => {
    const certPem = pem(i.certFile);
    return { ...i, certPem, certDer: der.fromPem(certPem), ocspCertDer: der.fromPem(pem(i.ocspCertFile)) };
  });
  const cards = manifest.cards.map((c) => ({
    ...c,
    signingCertDer: der.fromPem(pem(c.signingCertFile)),
    encryptionCertDer: der.fromPem(pem(c.encryptionCertFile)),
    p12Path: file(c.p12File),
  }));
  return {
    dir,
    manifest,
    baseUrl: manifest.baseUrl,
    rootPem,
    rootDer: der.fromPem(rootPem),
    intermediates,
    cards,
    card(id) {
      const card = cards.find((c) => c.id === id);
      if (!card) throw new Error(`no demo card "${id}"`);
      return card;
    },
    intermediate(id) {
      const ca = intermediates.find((i) => i.id === id);
      if (!ca) throw new Error(`no demo CA "${id}"`);
      return ca;
    },
    path: file,
    configuredTrustDir: existsSync(file(CONFIGURED_TRUST_FOLDER)) ? file(CONFIGURED_TRUST_FOLDER) : undefined,
  };
}
