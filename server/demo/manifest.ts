// The demo PKI as data: the manifest.json and certificate files that `npm run demo-pki` (demo-pki/) writes into
// DATA_DIR/demo-pki. Production code reads the demo anchors through this module only; it generates no key and signs
// nothing, so no code path of the portal carries the demo CAs' issuing code.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { der } from '../pki/index';

export type CaId = 'g2' | 'g3';
export type CardPurpose = 'citizen' | 'customs-specialist' | 'revocation-test';

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
  revoked: boolean;
  revokedAt?: string;
  revocationReason?: CrlReasonName;
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
  };
}
