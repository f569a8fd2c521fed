// Organisation certificates: the MOEACA business certificate (工商憑證), the GCA government certificate (政府憑證) and
// the customs-only certificate of a configured CA: fields read, the check for each use, path validation to the real
// MOEACA G2 under GRCA, and revocation through the CA's CRL as for MOICA cards.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  authorityKeyIdentifier,
  basicConstraints,
  buildCertificate,
  buildCrl,
  crlDistributionPoint,
  encodeName,
  KeyUsageBit,
  keyUsage,
  moicaDirectoryAttributes,
  organisationDirectoryAttributes,
  randomSerial,
  spkiOf,
  subjectKeyIdentifier,
  type ExtensionSpec,
  type NameAttribute,
} from '../../demo-pki/x509-builder';
import { der } from '../../server/pki/index';
import {
  checkOrganisationCertificate,
  issuerKindOf,
  ORGANISATION_REASONS,
  readOrganisationProfile,
  type OrganisationReason,
} from '../../server/pki/organisation.js';
import { parseCertificate, type Certificate } from '../../server/pki/parse.js';
import { createRevocationChecker } from '../../server/pki/revocation/checker.js';
import { buildPortalTrustStore, createTrustStore } from '../../server/pki/trust-store.js';
import { verifyChain, verifyPath } from '../../server/pki/verify-chain.js';
import { startServer } from './revocation/helpers.js';

const NOW = new Date('2026-03-01T00:00:00Z');
const START = new Date('2026-01-01T00:00:00Z');
const END = new Date('2030-01-01T00:00:00Z');
const key = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const parse = (d: Buffer): Certificate => {
  const r = parseCertificate(d);
  if (!r.ok) throw new Error(r.detail);
  return r.cert;
};
const gpki = (f: string) => readFileSync(new URL(`../../trust/gpki/${f}.pem`, import.meta.url), 'utf8');

interface TestCa {
  der: Buffer;
  key: KeyObject;
  name: Buffer;
  issue(subject: NameAttribute[], extra: ExtensionSpec[], usage?: number[]): Buffer;
}

/** A self-signed test CA with the given DN, issuing RSA leaves dated START..END. */
function makeCa(subject: NameAttribute[], urls?: { crl: string }): TestCa {
  const caKey = key();
  const name = encodeName(subject);
  const spki = spkiOf(caKey);
  const caDer = buildCertificate({
    serial: randomSerial(),
    issuer: name,
    subject: name,
    notBefore: START,
    notAfter: END,
    spki,
    signingKey: caKey,
    extensions: [
      basicConstraints(true),
      keyUsage([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
      subjectKeyIdentifier(spki),
    ],
  });
  const leafKey = key();
  return {
    der: caDer,
    key: caKey,
    name,
    issue(leafSubject, extra, usage = [KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation]) {
      const leafSpki = spkiOf(leafKey);
      return buildCertificate({
        serial: randomSerial(),
        issuer: name,
        subject: encodeName(leafSubject),
        notBefore: START,
        notAfter: END,
        spki: leafSpki,
        signingKey: caKey,
        extensions: [
          authorityKeyIdentifier(spki),
          subjectKeyIdentifier(leafSpki),
          keyUsage(usage),
          ...(urls ? [crlDistributionPoint(urls.crl)] : []),
          ...extra,
        ],
      });
    },
  };
}

const MOEACA_LIKE: NameAttribute[] = [
  { type: 'C', value: 'TW' },
  { type: 'O', value: '行政院' },
  { type: 'OU', value: '工商憑證管理中心' },
  { type: 'CN', value: '測試用 MOEACA' },
];
const GCA_LIKE: NameAttribute[] = [
  { type: 'C', value: 'TW' },
  { type: 'O', value: '行政院' },
  { type: 'OU', value: '政府憑證管理中心' },
  { type: 'CN', value: '測試用 GCA' },
];
const company = (name: string, serial?: string): NameAttribute[] => [
  { type: 'C', value: 'TW' },
  { type: 'O', value: name },
  ...(serial ? [{ type: 'serialNumber' as const, value: serial }] : []),
];

const moeaca = makeCa(MOEACA_LIKE);
const gca = makeCa(GCA_LIKE);

function validated(leaf: Buffer, ca: TestCa) {
  const r = verifyPath({ leaf, anchors: [ca.der], time: NOW, purpose: 'signing' });
  if (!r.ok) throw new Error(`${r.reason}: ${r.detail}`);
  return readOrganisationProfile(r.path[0]!, r.anchor);
}

t.test('the real MOEACA G2 CA chains to the GRCA G2 root', async (t) => {
  const r = verifyPath({
    leaf: gpki('moeaca-g2'),
    anchors: buildPortalTrustStore({ production: true }),
    time: NOW,
    purpose: 'any',
  });
  t.ok(r.ok, r.ok ? '' : r.detail);
  if (r.ok) {
    t.equal(r.path.length, 2);
    t.equal(r.anchor.source, 'gpki/grca-g2-root.pem');
    t.equal(r.anchor.configured, false);
  }
});

t.test('a card naming MOEACA G2 as its issuer but signed by another key is refused', async (t) => {
  const real = parse(der.fromPem(gpki('moeaca-g2')));
  const forgerKey = key();
  const leafKey = key();
  const leafSpki = spkiOf(leafKey);
  const leaf = buildCertificate({
    serial: randomSerial(),
    issuer: real.subjectDer,
    subject: encodeName(company('冒名股份有限公司', '23456786')),
    notBefore: START,
    notAfter: END,
    spki: leafSpki,
    signingKey: forgerKey,
    extensions: [
      authorityKeyIdentifier(real.spki.der),
      subjectKeyIdentifier(leafSpki),
      keyUsage([KeyUsageBit.digitalSignature]),
      organisationDirectoryAttributes({ businessId: '23456786' }),
    ],
  });
  const store = buildPortalTrustStore({ production: true });
  const r = verifyPath({ leaf, anchors: store, time: NOW, purpose: 'signing' });
  t.equal(r.ok ? 'ok' : r.reason, 'bad_signature');
  t.equal(issuerKindOf(parse(leaf)), 'moeaca', 'its issuer DN is the MOEACA one');
});

t.test('a business card gives its 統一編號, company name and card rank', async (t) => {
  const leaf = moeaca.issue(company('測試報關股份有限公司', '23456786'), [
    organisationDirectoryAttributes({
      businessId: '23456786',
      cardRank: 'primary',
      subjectType: '2.16.886.1.100.3.2.2.1.1',
    }),
  ]);
  const p = validated(leaf, moeaca);
  t.equal(p.issuerKind, 'moeaca');
  t.equal(p.businessId, '23456786');
  t.equal(p.businessIdFrom, 'directory_attribute');
  t.equal(p.businessIdConflict, false);
  t.equal(p.organisationName, '測試報關股份有限公司');
  t.equal(p.cardRank, 'primary');
  t.equal(p.subjectType, '2.16.886.1.100.3.2.2.1.1');
  t.equal(checkOrganisationCertificate(p, 'moeaca'), undefined);
});

t.test('a business card is not a government or customs-only certificate', async (t) => {
  const p = validated(moeaca.issue(company('甲公司', '53100003'), []), moeaca);
  t.equal(checkOrganisationCertificate(p, 'gca'), 'not_government_certificate');
  t.equal(checkOrganisationCertificate(p, 'customs'), 'not_customs_certificate');
});

t.test('the 統一編號 is read from the subject serialNumber when the directory attribute is absent', async (t) => {
  const p = validated(
    moeaca.issue(company('乙公司', '53100003'), [organisationDirectoryAttributes({ cardRank: 'secondary' })]),
    moeaca,
  );
  t.equal(p.businessId, '53100003');
  t.equal(p.businessIdFrom, 'subject_serial_number');
  t.equal(p.cardRank, 'secondary');
  t.equal(checkOrganisationCertificate(p, 'moeaca'), undefined);
});

t.test('two different 統一編號 in one certificate are refused', async (t) => {
  const p = validated(
    moeaca.issue(company('丙公司', '53100003'), [organisationDirectoryAttributes({ businessId: '23456786' })]),
    moeaca,
  );
  t.equal(p.businessIdConflict, true);
  t.equal(checkOrganisationCertificate(p, 'moeaca'), 'business_id_conflict');
});

t.test('a business card without an eight-digit 統一編號 is refused', async (t) => {
  const none = validated(moeaca.issue(company('丁公司'), []), moeaca);
  t.equal(none.businessId, undefined);
  t.equal(checkOrganisationCertificate(none, 'moeaca'), 'business_id_missing');
  const odd = validated(
    moeaca.issue(company('戊公司', '1234567X'), [organisationDirectoryAttributes({ businessId: '123' })]),
    moeaca,
  );
  t.equal(odd.businessId, undefined);
  t.equal(checkOrganisationCertificate(odd, 'moeaca'), 'business_id_missing');
});

t.test('a business card naming no organisation is refused', async (t) => {
  const p = validated(
    moeaca.issue(
      [
        { type: 'C', value: 'TW' },
        { type: 'serialNumber', value: '23456786' },
      ],
      [],
    ),
    moeaca,
  );
  t.equal(checkOrganisationCertificate(p, 'moeaca'), 'organisation_name_missing');
});

t.test('the company name falls back to the CN', async (t) => {
  const p = validated(
    moeaca.issue(
      [
        { type: 'C', value: 'TW' },
        { type: 'CN', value: '己公司' },
        { type: 'serialNumber', value: '23456786' },
      ],
      [],
    ),
    moeaca,
  );
  t.equal(p.organisationName, '己公司');
});

t.test('a citizen card on a business page is told apart by its issuer', async (t) => {
  const moica = makeCa([
    { type: 'C', value: 'TW' },
    { type: 'O', value: '行政院' },
    { type: 'OU', value: '內政部憑證管理中心' },
  ]);
  const leaf = moica.issue(
    [
      { type: 'C', value: 'TW' },
      { type: 'CN', value: '王小明' },
      { type: 'serialNumber', value: '0000000012345678' },
    ],
    [moicaDirectoryAttributes('6789')],
  );
  const p = validated(leaf, moica);
  t.equal(p.issuerKind, 'moica');
  t.equal(checkOrganisationCertificate(p, 'moeaca'), 'not_business_certificate');
});

t.test('the encryption certificate of a business card is refused for signing', async (t) => {
  const leaf = moeaca.issue(
    company('庚公司', '23456786'),
    [],
    [KeyUsageBit.keyEncipherment, KeyUsageBit.dataEncipherment],
  );
  const r = verifyPath({ leaf, anchors: [moeaca.der], time: NOW, purpose: 'signing' });
  t.equal(r.ok ? 'ok' : r.reason, 'leaf_key_usage');
});

t.test('a government card gives its agency code and name', async (t) => {
  const leaf = gca.issue(
    [
      { type: 'C', value: 'TW' },
      { type: 'O', value: '測試關務署' },
    ],
    [organisationDirectoryAttributes({ agencyCode: '2.16.886.101.99999.1' })],
  );
  const p = validated(leaf, gca);
  t.equal(p.issuerKind, 'gca');
  t.equal(p.agencyCode, '2.16.886.101.99999.1');
  t.equal(p.organisationName, '測試關務署');
  t.equal(checkOrganisationCertificate(p, 'gca'), undefined);
  t.equal(checkOrganisationCertificate(p, 'moeaca'), 'not_business_certificate');
});

t.test('a government card without an agency code is refused', async (t) => {
  const p = validated(
    gca.issue(
      [
        { type: 'C', value: 'TW' },
        { type: 'O', value: '測試機關' },
      ],
      [],
    ),
    gca,
  );
  t.equal(checkOrganisationCertificate(p, 'gca'), 'agency_code_missing');
});

t.test('a customs-only certificate counts as such only when its root is configured trust (TRUST_DIR)', async (t) => {
  const customs = makeCa([
    { type: 'C', value: 'TW' },
    { type: 'O', value: '測試關務機關' },
    { type: 'CN', value: '測試用 通關專屬憑證 CA' },
  ]);
  const leaf = customs.issue(company('通關測試股份有限公司', '23456786'), [
    organisationDirectoryAttributes({ businessId: '23456786' }),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'sw-customs-trust-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'customs-ca.pem'), der.toPem('CERTIFICATE', customs.der));

  const configured = verifyPath({
    leaf,
    anchors: buildPortalTrustStore({ trustDir: dir, includeGpki: false, production: true }),
    time: NOW,
    purpose: 'signing',
  });
  t.ok(configured.ok);
  if (configured.ok) {
    t.equal(configured.anchor.configured, true);
    const p = readOrganisationProfile(configured.path[0]!, configured.anchor);
    t.equal(p.issuerKind, 'configured');
    t.equal(checkOrganisationCertificate(p, 'customs'), undefined);
    t.equal(checkOrganisationCertificate(p, 'moeaca'), 'not_business_certificate');
  }

  const given = verifyPath({
    leaf,
    anchors: createTrustStore({ anchors: [customs.der] }),
    time: NOW,
    purpose: 'signing',
  });
  t.ok(given.ok);
  if (given.ok) {
    const p = readOrganisationProfile(given.path[0]!, given.anchor);
    t.equal(p.issuerKind, 'other');
    t.equal(checkOrganisationCertificate(p, 'customs'), 'not_customs_certificate');
  }
});

t.test('the demo stand-in for TRUST_DIR is configured trust in demo mode and absent in production', async (t) => {
  const customs = makeCa([
    { type: 'C', value: 'TW' },
    { type: 'CN', value: '測試用 通關專屬憑證 CA (DEMO)' },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'sw-customs-demo-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'customs-ca.pem'), der.toPem('CERTIFICATE', customs.der));
  const demo = buildPortalTrustStore({ demoTrustDir: dir, includeGpki: false, production: false });
  t.same(
    demo.anchors.map((a) => [a.source, a.configured, a.isDemo]),
    [['demo/customs-ca.pem', true, true]],
  );
  const production = buildPortalTrustStore({ demoTrustDir: dir, includeGpki: false, production: true });
  t.equal(production.anchors.length, 0);
});

t.test('a revoked business card is refused through its CA CRL, as a MOICA card is', async (t) => {
  const server = await startServer();
  t.teardown(() => server.close());
  const ca = makeCa(MOEACA_LIKE, { crl: `${server.url}/moeaca.crl` });
  const good = ca.issue(company('好公司', '53100003'), [organisationDirectoryAttributes({ businessId: '53100003' })]);
  const revoked = ca.issue(company('廢止公司', '86420006'), [
    organisationDirectoryAttributes({ businessId: '86420006' }),
  ]);
  const caCert = parse(ca.der);
  const crl = buildCrl({
    issuer: caCert.subjectDer,
    issuerSpki: caCert.spki.der,
    thisUpdate: new Date('2026-02-28T00:00:00Z'),
    nextUpdate: new Date('2026-03-07T00:00:00Z'),
    crlNumber: 1,
    revoked: [{ serialHex: parse(revoked).serialHex, revokedAt: new Date('2026-02-20T00:00:00Z'), reason: 1 }],
    signingKey: ca.key,
  });
  server.routes.set('/moeaca.crl', (_req, _body, res) => res.end(crl));
  const revocation = createRevocationChecker({ mode: 'crl' });
  const check = (leaf: Buffer) => verifyChain({ leaf, anchors: [ca.der], time: NOW, purpose: 'signing', revocation });
  const ok = await check(good);
  t.ok(ok.ok, ok.ok ? '' : ok.reason);
  const refused = await check(revoked);
  t.equal(refused.ok ? 'ok' : refused.reason, 'revoked');
});

t.test('the reasons list names every reason once', async (t) => {
  const expected: OrganisationReason[] = [
    'not_business_certificate',
    'not_government_certificate',
    'not_customs_certificate',
    'business_id_missing',
    'business_id_conflict',
    'agency_code_missing',
    'organisation_name_missing',
  ];
  t.same([...ORGANISATION_REASONS].sort(), expected.sort());
});
