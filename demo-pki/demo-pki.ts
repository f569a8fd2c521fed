// The demo PKI: a demo root, MOICA-like G2 and G3 intermediates, their OCSP responders and CRLs, and demo cards
// (a signing and an encryption certificate per card, both in one PKCS#12 protected by the card's PIN).
// Everything is written into one directory with a manifest.json; the portal serves the CRLs and OCSP in demo mode.
import { generateKeyPair, createPrivateKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  authorityInfoAccess,
  authorityKeyIdentifier,
  basicConstraints,
  buildCertificate,
  buildCrl,
  certificatePolicies,
  crlDistributionPoint,
  DEMO_OID,
  encodeName,
  extKeyUsage,
  KeyUsageBit,
  keyUsage,
  moicaDirectoryAttributes,
  ocspNoCheck,
  organisationDirectoryAttributes,
  randomSerial,
  spkiOf,
  subjectKeyIdentifier,
  type NameAttribute,
  type RevokedEntry,
} from './x509-builder';
import { buildPkcs12 } from './pkcs12';
import { certificateFrom, der, OID } from '../server/pki/index';
import {
  CONFIGURED_TRUST_FOLDER,
  CRL_REASONS,
  loadDemoPki,
  readDemoManifest,
  type CaId,
  type DemoCaKind,
  type DemoOrganisation,
  type CardPurpose,
  type CrlReasonName,
  type DemoCaEntry,
  type DemoCardEntry,
  type DemoIntermediateEntry,
  type DemoManifest,
  type DemoPki,
} from '../server/demo/manifest';

// The manifest's shape and its reader belong to the portal (it reads the demo anchors as data); re-exported here so
// the demo tooling's callers find the whole demo PKI in one place.
export { CRL_REASONS, demoPkiDir, loadDemoPki } from '../server/demo/manifest';
export type {
  CaId,
  CardPurpose,
  CrlReasonName,
  DemoCardEntry,
  DemoManifest,
  DemoOrganisation,
  DemoPki,
} from '../server/demo/manifest';

const { fromPem, toPem } = der;

const generateKeyPairAsync = promisify(generateKeyPair);

export interface DemoCardSpec {
  id: string;
  purpose: CardPurpose;
  holderName: string;
  idNumber: string;
  pin: string;
  issuer: CaId;
  /** revoked when the PKI is made (keyCompromise) */
  revoked?: boolean;
  /**
   * An organisation card (issuer moeaca, gca or customs): the company or agency; idNumber is then its 統一編號 (or, for
   * an agency, a number for the signer's label only) and holderName the name shown in the signer.
   */
  organisation?: DemoOrganisation;
}

/** The demo cards. ID numbers carry valid checksums; PINs are 6–8 digits. */
export const DEMO_CARDS: readonly DemoCardSpec[] = [
  {
    id: 'wang-xiaoming',
    purpose: 'citizen',
    holderName: '王小明',
    idNumber: 'A123456789',
    pin: '123456',
    issuer: 'g3',
  },
  { id: 'lin-meihua', purpose: 'citizen', holderName: '林美華', idNumber: 'F223456786', pin: '24681357', issuer: 'g3' },
  {
    id: 'chen-zhiming',
    purpose: 'customs-specialist',
    holderName: '陳志明',
    idNumber: 'B120863158',
    pin: '13572468',
    issuer: 'g2',
  },
  {
    id: 'huang-zhihao',
    purpose: 'revocation-test',
    holderName: '黃志豪',
    idNumber: 'H124680240',
    pin: '975310',
    issuer: 'g2',
  },
  {
    id: 'zhang-yating',
    purpose: 'revocation-test',
    holderName: '張雅婷',
    idNumber: 'E223456785',
    pin: '864200',
    issuer: 'g3',
    revoked: true,
  },
  // Organisation cards. 統一編號 valid under the 2023 rule (a multiple of 5, not of 10: refused before 2023).
  {
    id: 'taiguan-broker',
    purpose: 'company',
    holderName: '台關報關股份有限公司',
    idNumber: '23456786',
    pin: '23456786',
    issuer: 'moeaca',
    organisation: { name: '台關報關股份有限公司', businessId: '23456786', category: 'customs_broker' },
  },
  {
    id: 'xinyi-trading',
    purpose: 'company',
    holderName: '信義貿易有限公司',
    idNumber: '53100003',
    pin: '531000',
    issuer: 'moeaca',
    organisation: { name: '信義貿易有限公司', businessId: '53100003', category: 'enterprise' },
  },
  {
    id: 'closed-company',
    purpose: 'revocation-test',
    holderName: '歇業測試企業社',
    idNumber: '86420006',
    pin: '864200',
    issuer: 'moeaca',
    revoked: true,
    organisation: { name: '歇業測試企業社', businessId: '86420006', category: 'enterprise' },
  },
  {
    id: 'customs-agency',
    purpose: 'government',
    holderName: '測試關務署',
    idNumber: '00106008',
    pin: '001060',
    issuer: 'gca',
    organisation: { name: '測試關務署', agencyCode: '2.16.886.101.99001.1', category: 'government' },
  },
  {
    id: 'farglory-customs',
    purpose: 'customs-only',
    holderName: '遠通報關有限公司',
    idNumber: '13579009',
    pin: '135790',
    issuer: 'customs',
    organisation: { name: '遠通報關有限公司', businessId: '13579009', category: 'customs_broker' },
  },
];

export const DEMO_ROOT_SUBJECT: NameAttribute[] = [
  { type: 'C', value: 'TW' },
  { type: 'O', value: 'DEMO 測試用' },
  { type: 'CN', value: 'DEMO Root CA 測試用根憑證 (not for production)' },
];
const MOICA_NAME: NameAttribute[] = [
  { type: 'C', value: 'TW' },
  { type: 'O', value: '行政院' },
  { type: 'OU', value: '內政部憑證管理中心' },
];
export const demoCaSubject = (id: CaId): NameAttribute[] => [
  ...MOICA_NAME,
  { type: 'CN', value: `測試用 MOICA ${id.toUpperCase()} (DEMO)` },
];

/** Each demo CA: the real CA it stands for and its subject (the real CA's O and OU, with a CN that says DEMO). */
const DEMO_CAS: Record<CaId, { kind: DemoCaKind; subject: NameAttribute[]; configuredTrust?: boolean }> = {
  g2: { kind: 'moica', subject: demoCaSubject('g2') },
  g3: { kind: 'moica', subject: demoCaSubject('g3') },
  moeaca: {
    kind: 'moeaca',
    subject: [
      { type: 'C', value: 'TW' },
      { type: 'O', value: '行政院' },
      { type: 'OU', value: '工商憑證管理中心' },
      { type: 'CN', value: '測試用 MOEACA (DEMO)' },
    ],
  },
  gca: {
    kind: 'gca',
    subject: [
      { type: 'C', value: 'TW' },
      { type: 'O', value: '行政院' },
      { type: 'OU', value: '政府憑證管理中心' },
      { type: 'CN', value: '測試用 GCA (DEMO)' },
    ],
  },
  // No public root exists for the customs-only certificate: its demo CA is a root of its own, trusted as configured.
  customs: {
    kind: 'customs',
    configuredTrust: true,
    subject: [
      { type: 'C', value: 'TW' },
      { type: 'O', value: 'DEMO 測試用' },
      { type: 'CN', value: '測試用 通關專屬憑證 CA (DEMO, configured trust)' },
    ],
  },
};

/** The demo CAs a PKI needs: the MOICA ones always, the others when a card names them. */
function casFor(cards: readonly DemoCardSpec[]): CaId[] {
  const used = new Set<CaId>(['g2', 'g3', ...cards.map((c) => c.issuer)]);
  return (Object.keys(DEMO_CAS) as CaId[]).filter((id) => used.has(id));
}

// Short-lived demo CRLs: relying parties cache a CRL until its nextUpdate, so a demo revocation shows in CRL mode within a day.
const CRL_LIFETIME_MS = 24 * 3600_000;
const CRL_REISSUE_WHEN_LEFT_MS = 12 * 3600_000;
const DAY = 24 * 3600_000;
const YEAR = 365 * DAY;

export const DEFAULT_BASE_URL = 'http://localhost:3000';

export interface CreateOptions {
  /** origin the certificates' CRL/OCSP/caIssuers URLs point at; `${baseUrl}/demo-pki/...` */
  baseUrl?: string;
  /** RSA size of the root and intermediate keys: 4096 by default; tests may pass 2048 */
  keyBits?: number;
  /** the clock the certificates and CRLs are dated by */
  now?: Date;
  cards?: readonly DemoCardSpec[];
  /**
   * One signing and one encryption key for every card, instead of two fresh keys per card: a load benchmark needs
   * hundreds of cards, and RSA key generation would take minutes. Each card still has its own certificates.
   */
  cardKeys?: { signing: KeyObject; encryption: KeyObject };
}

const nameString = (attrs: NameAttribute[]) => attrs.map((a) => `${a.type}=${a.value}`).join(', ');

async function rsaKey(bits: number): Promise<KeyObject> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return privateKey;
}

const pemKey = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string;
const hex = (b: Buffer) =>
  b
    .toString('hex')
    .toUpperCase()
    .replace(/^(00)+(?=.)/, '');

function cardSerialFor(index: number, idNumber: string): string {
  const digits = idNumber.slice(1).replace(/\D/g, '');
  return `TP03${String(index + 1).padStart(4, '0')}${digits.slice(-8)}`;
}
/** An organisation card's serial for the signer's card list (organisation certificates carry none: docs/pki.md). */
function organisationCardSerialFor(index: number, id: string): string {
  return `OR${String(index + 1).padStart(4, '0')}${id.replace(/\D/g, '').padStart(10, '0').slice(-10)}`;
}
function dnSerialFor(index: number): string {
  return `9999${String(index + 1).padStart(12, '0')}`;
}

function repositoryUrls(baseUrl: string, ca: 'root' | CaId) {
  return {
    crlUrl: `${baseUrl}/demo-pki/${ca}.crl`,
    ocspUrl: `${baseUrl}/demo-pki/ocsp/${ca}`,
    caIssuersUrl: `${baseUrl}/demo-pki/${ca}.crt`,
  };
}

/** Makes a fresh demo PKI in `dir` (which must not exist or be empty). Prefer ensureDemoPki outside tests. */
export async function createDemoPki(dir: string, options: CreateOptions = {}): Promise<DemoPki> {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const keyBits = options.keyBits ?? 4096;
  const now = options.now ?? new Date();
  const cards = options.cards ?? DEMO_CARDS;
  const start = new Date(Math.floor(now.getTime() / DAY) * DAY - DAY);
  mkdirSync(join(dir, 'cards'), { recursive: true });
  mkdirSync(join(dir, 'keys'), { recursive: true });
  const write = (file: string, data: string | Buffer) => writeFileSync(join(dir, file), data, { mode: 0o644 });

  const caIds = casFor(cards);
  // Keys in parallel: Node's key generation runs on the thread pool. G3 has the root's size (as the real G3's 4096).
  const [rootKey, ...otherKeys] = await Promise.all([
    rsaKey(keyBits),
    ...caIds.flatMap((id) => [rsaKey(id === 'g3' ? keyBits : 2048), rsaKey(2048)]),
    ...(options.cardKeys ? [] : cards.flatMap(() => [rsaKey(2048), rsaKey(2048)])),
  ]);
  const caKeys = {} as Record<CaId, KeyObject>;
  const ocspKeys = {} as Record<CaId, KeyObject>;
  caIds.forEach((id, n) => {
    caKeys[id] = otherKeys[n * 2]!;
    ocspKeys[id] = otherKeys[n * 2 + 1]!;
  });
  const cardKeys = otherKeys.slice(caIds.length * 2);

  const rootName = encodeName(DEMO_ROOT_SUBJECT);
  const rootSpki = spkiOf(rootKey);
  const rootUrls = repositoryUrls(baseUrl, 'root');
  const rootDer = buildCertificate({
    serial: randomSerial(),
    issuer: rootName,
    subject: rootName,
    notBefore: start,
    notAfter: new Date(start.getTime() + 25 * YEAR),
    spki: rootSpki,
    signingKey: rootKey,
    extensions: [
      basicConstraints(true),
      keyUsage([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
      subjectKeyIdentifier(rootSpki),
    ],
  });
  write('root.crt.pem', toPem('CERTIFICATE', rootDer));
  write('root.crt', rootDer);
  write('keys/root.key.pem', pemKey(rootKey));

  const intermediates: DemoIntermediateEntry[] = [];
  const caNames = {} as Record<CaId, Buffer>;
  for (const id of caIds) {
    const ca = DEMO_CAS[id];
    const key = caKeys[id];
    const spki = spkiOf(key);
    const name = encodeName(ca.subject);
    caNames[id] = name;
    const notAfter = new Date(start.getTime() + 20 * YEAR);
    const certDer = ca.configuredTrust
      ? // a root of its own (RFC 5280 §6.1: a trust anchor by configuration)
        buildCertificate({
          serial: randomSerial(),
          issuer: name,
          subject: name,
          notBefore: start,
          notAfter,
          spki,
          signingKey: key,
          extensions: [
            basicConstraints(true, 0),
            keyUsage([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
            subjectKeyIdentifier(spki),
          ],
        })
      : buildCertificate({
          serial: randomSerial(),
          issuer: rootName,
          subject: name,
          notBefore: start,
          notAfter,
          spki,
          signingKey: rootKey,
          extensions: [
            authorityKeyIdentifier(rootSpki),
            subjectKeyIdentifier(spki),
            keyUsage([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
            certificatePolicies(DEMO_OID.gpkiLevel3Policy),
            basicConstraints(true, 0),
            crlDistributionPoint(rootUrls.crlUrl),
            authorityInfoAccess({ ocsp: rootUrls.ocspUrl, caIssuers: rootUrls.caIssuersUrl }),
          ],
        });
    const ocspSpki = spkiOf(ocspKeys[id]);
    const ocspSerial = randomSerial();
    const urls = repositoryUrls(baseUrl, id);
    const ocspDer = buildCertificate({
      serial: ocspSerial,
      issuer: name,
      subject: encodeName([
        ...ca.subject.filter((a) => a.type !== 'CN'),
        {
          type: 'CN',
          value: `${ca.subject.find((a) => a.type === 'CN')!.value.replace(/ \(DEMO.*$/, '')} OCSP Responder (DEMO)`,
        },
      ]),
      notBefore: start,
      notAfter: new Date(start.getTime() + 5 * YEAR),
      spki: ocspSpki,
      signingKey: key,
      extensions: [
        authorityKeyIdentifier(spki),
        subjectKeyIdentifier(ocspSpki),
        keyUsage([KeyUsageBit.digitalSignature]),
        extKeyUsage(OID.ocspSigning),
        ocspNoCheck(),
      ],
    });
    write(`${id}.crt.pem`, toPem('CERTIFICATE', certDer));
    write(`${id}.crt`, certDer);
    write(`keys/${id}.key.pem`, pemKey(key));
    write(`${id}-ocsp.crt.pem`, toPem('CERTIFICATE', ocspDer));
    write(`keys/${id}-ocsp.key.pem`, pemKey(ocspKeys[id]));
    if (ca.configuredTrust) {
      mkdirSync(join(dir, CONFIGURED_TRUST_FOLDER), { recursive: true });
      write(`${CONFIGURED_TRUST_FOLDER}/${id}-ca.pem`, toPem('CERTIFICATE', certDer));
    }
    intermediates.push({
      id,
      kind: ca.kind,
      ...(ca.configuredTrust ? { configuredTrust: true } : {}),
      subject: nameString(ca.subject),
      certFile: `${id}.crt.pem`,
      keyFile: `keys/${id}.key.pem`,
      crlFile: `${id}.crl`,
      crlNumber: 0,
      crlThisUpdate: '',
      crlNextUpdate: '',
      ...urls,
      ocspCertFile: `${id}-ocsp.crt.pem`,
      ocspKeyFile: `keys/${id}-ocsp.key.pem`,
      ocspSerial: hex(ocspSerial),
    });
  }
  write(
    'chain.pem',
    intermediates
      .filter((i) => !i.configuredTrust)
      .map((i) => readFileSync(join(dir, i.certFile), 'utf8'))
      .join('') + toPem('CERTIFICATE', rootDer),
  );

  const cardEntries: DemoCardEntry[] = [];
  cards.forEach((spec, index) => {
    const caKey = caKeys[spec.issuer];
    const caSpki = spkiOf(caKey);
    const urls = repositoryUrls(baseUrl, spec.issuer);
    const idLast4 = spec.idNumber.slice(-4);
    const org = spec.organisation;
    // A business certificate names the company in O with its 統一編號 as serialNumber (docs/pki.md); a citizen card
    // the holder in CN with a 16-character serialNumber.
    const dnSerialNumber = org ? (org.businessId ?? '') : dnSerialFor(index);
    const cardSerial = org ? organisationCardSerialFor(index, spec.idNumber) : cardSerialFor(index, spec.idNumber);
    const subject = encodeName(
      org
        ? [
            { type: 'C', value: 'TW' },
            { type: 'O', value: org.name },
            ...(org.businessId ? [{ type: 'serialNumber' as const, value: org.businessId }] : []),
          ]
        : [
            { type: 'C', value: 'TW' },
            { type: 'CN', value: spec.holderName },
            { type: 'serialNumber', value: dnSerialNumber },
          ],
    );
    const directory = org
      ? organisationDirectoryAttributes({
          businessId: org.businessId,
          agencyCode: org.agencyCode,
          cardRank: spec.issuer === 'moeaca' ? 'primary' : undefined,
        })
      : moicaDirectoryAttributes(idLast4, cardSerial);
    const certFor = (key: KeyObject, usage: number[], serial: Buffer) => {
      const spki = spkiOf(key);
      return buildCertificate({
        serial,
        issuer: caNames[spec.issuer],
        subject,
        notBefore: start,
        notAfter: new Date(start.getTime() + 8 * YEAR),
        spki,
        signingKey: caKey,
        extensions: [
          authorityKeyIdentifier(caSpki),
          subjectKeyIdentifier(spki),
          keyUsage(usage),
          certificatePolicies(DEMO_OID.gpkiLevel3Policy),
          directory,
          crlDistributionPoint(urls.crlUrl),
          authorityInfoAccess({ ocsp: urls.ocspUrl, caIssuers: urls.caIssuersUrl }),
        ],
      });
    };
    const signingKey = options.cardKeys?.signing ?? cardKeys[index * 2];
    const encryptionKey = options.cardKeys?.encryption ?? cardKeys[index * 2 + 1];
    const signingSerial = randomSerial();
    const encryptionSerial = randomSerial();
    const signingDer = certFor(signingKey, [KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation], signingSerial);
    const encryptionDer = certFor(
      encryptionKey,
      [KeyUsageBit.keyEncipherment, KeyUsageBit.dataEncipherment],
      encryptionSerial,
    );
    const p12 = buildPkcs12(
      [
        { friendlyName: `${spec.holderName} signing 簽章用`, privateKey: signingKey, certDer: signingDer },
        { friendlyName: `${spec.holderName} encryption 加密用`, privateKey: encryptionKey, certDer: encryptionDer },
      ],
      spec.pin,
    );
    write(`cards/${spec.id}.p12`, p12);
    write(`cards/${spec.id}-signing.crt.pem`, toPem('CERTIFICATE', signingDer));
    write(`cards/${spec.id}-encryption.crt.pem`, toPem('CERTIFICATE', encryptionDer));
    cardEntries.push({
      id: spec.id,
      purpose: spec.purpose,
      holderName: spec.holderName,
      idNumber: spec.idNumber,
      idLast4,
      pin: spec.pin,
      cardSerial,
      dnSerialNumber,
      p12File: `cards/${spec.id}.p12`,
      signingCertFile: `cards/${spec.id}-signing.crt.pem`,
      encryptionCertFile: `cards/${spec.id}-encryption.crt.pem`,
      signingSerial: hex(signingSerial),
      encryptionSerial: hex(encryptionSerial),
      issuer: spec.issuer,
      ...(org ? { organisation: org } : {}),
      revoked: spec.revoked === true,
      ...(spec.revoked
        ? {
            revokedAt: new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString(),
            revocationReason: 'keyCompromise' as const,
          }
        : {}),
    });
  });

  const manifest: DemoManifest = {
    version: 1,
    createdAt: now.toISOString(),
    baseUrl,
    root: {
      subject: nameString(DEMO_ROOT_SUBJECT),
      certFile: 'root.crt.pem',
      keyFile: 'keys/root.key.pem',
      crlFile: 'root.crl',
      crlNumber: 0,
      crlThisUpdate: '',
      crlNextUpdate: '',
      keyBits,
      ...rootUrls,
    },
    intermediates,
    cards: cardEntries,
  };
  issueCrls(dir, manifest, now);
  writeManifest(dir, manifest);
  return loadDemoPki(dir);
}

function writeManifest(dir: string, manifest: DemoManifest): void {
  const tmp = join(dir, `.manifest.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(tmp, join(dir, 'manifest.json'));
}

/** The entries revoked by the given CA: for the root, none (its intermediates are in service); for G2/G3, their revoked cards. */
function revokedBy(manifest: DemoManifest, ca: 'root' | CaId): RevokedEntry[] {
  if (ca === 'root') return [];
  return manifest.cards
    .filter((c) => c.issuer === ca && c.revoked)
    .flatMap((c) => {
      const reason = CRL_REASONS[c.revocationReason ?? 'unspecified'];
      const revokedAt = new Date(c.revokedAt ?? manifest.createdAt);
      return [c.signingSerial, c.encryptionSerial].map((serialHex) => ({
        serialHex,
        revokedAt,
        reason: reason || undefined,
      }));
    });
}

function issueCrl(dir: string, manifest: DemoManifest, ca: 'root' | CaId, now: Date): void {
  const entry: DemoCaEntry = ca === 'root' ? manifest.root : manifest.intermediates.find((i) => i.id === ca)!;
  const key = createPrivateKey(readFileSync(join(dir, entry.keyFile), 'utf8'));
  const cert = certificateFrom(fromPem(readFileSync(join(dir, entry.certFile), 'utf8')));
  entry.crlNumber += 1;
  const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const nextUpdate = new Date(thisUpdate.getTime() + CRL_LIFETIME_MS);
  const crl = buildCrl({
    issuer: cert.subjectDer,
    issuerSpki: cert.spki.der,
    thisUpdate,
    nextUpdate,
    crlNumber: entry.crlNumber,
    revoked: revokedBy(manifest, ca),
    signingKey: key,
  });
  entry.crlThisUpdate = thisUpdate.toISOString();
  entry.crlNextUpdate = nextUpdate.toISOString();
  const tmp = join(dir, `.${entry.crlFile}.${process.pid}.tmp`);
  writeFileSync(tmp, crl);
  renameSync(tmp, join(dir, entry.crlFile));
}

function issueCrls(dir: string, manifest: DemoManifest, now: Date): void {
  issueCrl(dir, manifest, 'root', now);
  for (const i of manifest.intermediates) issueCrl(dir, manifest, i.id, now);
}

/** Re-issues any CRL with less than 12 hours to its nextUpdate (the demo route calls this before serving). Returns true if any changed. */
export function refreshDemoCrls(dir: string, now: Date = new Date()): boolean {
  const manifest = readDemoManifest(dir);
  let changed = false;
  for (const ca of ['root', ...manifest.intermediates.map((i) => i.id)] as Array<'root' | CaId>) {
    const entry: DemoCaEntry = ca === 'root' ? manifest.root : manifest.intermediates.find((i) => i.id === ca)!;
    const next = Date.parse(entry.crlNextUpdate);
    const thisUpdate = Date.parse(entry.crlThisUpdate);
    if (!(next - now.getTime() > CRL_REISSUE_WHEN_LEFT_MS) || thisUpdate > now.getTime()) {
      issueCrl(dir, manifest, ca, now);
      changed = true;
    }
  }
  if (changed) writeManifest(dir, manifest);
  return changed;
}

/**
 * Returns the demo PKI in `dir`, making it the first time (slow: an RSA-4096 root). Two processes starting together are safe:
 * each builds in its own temporary sibling directory and renames it into place; the loser throws its copy away.
 * An existing PKI is kept even if `baseUrl` differs (its certificates carry the URLs they were made with: see manifest.baseUrl).
 */
export async function ensureDemoPki(dir: string, options: CreateOptions = {}): Promise<DemoPki> {
  if (existsSync(join(dir, 'manifest.json'))) return loadDemoPki(dir);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new Error(`${dir} exists but holds no demo PKI manifest.json: remove it to make a new demo PKI`);
  }
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = join(dirname(dir), `.${basename(dir)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await createDemoPki(tmp, options);
    try {
      // Replaces `dir` only if it is missing or empty; otherwise another process won the race.
      if (existsSync(dir) && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } catch (error) {
      if (!existsSync(join(dir, 'manifest.json'))) throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return loadDemoPki(dir);
}

/** Marks both certificates of a demo card revoked and re-issues its CA's CRL; the demo OCSP responder reads the same state. */
export function revokeDemoCard(
  dir: string,
  cardId: string,
  reason: CrlReasonName = 'keyCompromise',
  now: Date = new Date(),
): DemoPki {
  if (!(reason in CRL_REASONS)) throw new Error(`unknown revocation reason "${reason}"`);
  const manifest = readDemoManifest(dir);
  const card = manifest.cards.find((c) => c.id === cardId);
  if (!card) throw new Error(`no demo card "${cardId}"`);
  card.revoked = true;
  card.revokedAt = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString();
  card.revocationReason = reason;
  issueCrl(dir, manifest, card.issuer, now);
  writeManifest(dir, manifest);
  return loadDemoPki(dir);
}
