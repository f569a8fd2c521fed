import t from 'tap';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDemoPki,
  ensureDemoPki,
  loadDemoPki,
  refreshDemoCrls,
  revokeDemoCard,
  DEMO_CARDS,
  type DemoPki,
} from '../../demo-pki/demo-pki';
import { openPkcs12 } from '../../demo-pki/pkcs12';
import {
  aiaUrls,
  certificateFrom,
  crlUrls,
  der,
  extendedKeyUsages,
  hasExtension,
  hasKeyUsage,
  OID,
  readProfile,
  buildPortalTrustStore,
  checkOrganisationCertificate,
  readOrganisationProfile,
  verifyPath,
} from '../../server/pki/index';
import { businessIdChecksumValid } from '../../server/forms/business-id';

const { children, content, decodeOid, readTlv } = der;

const NOW = new Date('2026-03-01T08:00:00Z');
const root = mkdtempSync(join(tmpdir(), 'demo-pki-test-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

let pki: DemoPki;
t.before(async () => {
  pki = await createDemoPki(join(root, 'pki'), { keyBits: 2048, baseUrl: 'http://portal.test:3000', now: NOW });
});

const openssl = (args: string[], input?: Buffer) =>
  spawnSync('openssl', args, { input, encoding: 'utf8' }) as { status: number; stdout: string; stderr: string };
const ATTIME = String(Math.floor(NOW.getTime() / 1000));

/** Taiwan national ID checksum: letter code digits weighted 1 and 9, then 8..1, then the check digit. */
function validNationalId(id: string): boolean {
  const letters = 'ABCDEFGHJKLMNPQRSTUVXYWZIO';
  const code = letters.indexOf(id[0]) + 10;
  if (!/^[A-Z][12]\d{8}$/.test(id) || code < 10) return false;
  const weights = [8, 7, 6, 5, 4, 3, 2, 1, 1];
  const sum =
    Math.floor(code / 10) + (code % 10) * 9 + [...id.slice(1)].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return sum % 10 === 0;
}

t.test('openssl verify accepts every card certificate as a chain to the demo root', async (t) => {
  for (const card of pki.cards.filter((c) => !pki.intermediate(c.issuer).configuredTrust)) {
    for (const file of [card.signingCertFile, card.encryptionCertFile]) {
      const r = openssl([
        'verify',
        '-attime',
        ATTIME,
        '-CAfile',
        pki.path('root.crt.pem'),
        '-untrusted',
        pki.path(`${card.issuer}.crt.pem`),
        pki.path(file),
      ]);
      t.equal(r.status, 0, `${file}: ${r.stdout}${r.stderr}`);
    }
  }
});

t.test(
  'the manifest lists at least four cards with valid national IDs, 6-8 digit PINs and TP03 card serials',
  async (t) => {
    const citizens = pki.cards.filter((c) => !c.organisation);
    t.ok(citizens.length >= 4);
    for (const card of citizens) {
      t.ok(validNationalId(card.idNumber), `${card.idNumber} has a valid checksum`);
      t.match(card.pin, /^\d{6,8}$/);
      t.match(card.cardSerial, /^TP03\d{12}$/);
      t.equal(card.idLast4, card.idNumber.slice(-4));
      t.equal(card.dnSerialNumber.length, 16);
    }
    t.same(
      pki.cards.map((c) => c.id),
      DEMO_CARDS.map((c) => c.id),
    );
    t.equal(pki.manifest.baseUrl, 'http://portal.test:3000');
  },
);

t.test(
  'signing certificates carry the MOICA subject, ID last four digits, digitalSignature and the demo URLs',
  async (t) => {
    const card = pki.card('wang-xiaoming');
    const text = openssl([
      'x509',
      '-in',
      pki.path(card.signingCertFile),
      '-noout',
      '-text',
      '-nameopt',
      'utf8,sep_comma_plus_space',
    ]).stdout;
    t.match(text, 'Subject: C=TW, CN=王小明, serialNumber=' + card.dnSerialNumber);
    t.match(text, 'Issuer: C=TW, O=行政院, OU=內政部憑證管理中心, CN=測試用 MOICA G3 (DEMO)');
    t.match(text, 'Digital Signature, Non Repudiation');
    t.match(text, 'Policy: 2.16.886.101.0.3.3');
    t.match(text, 'X509v3 Subject Directory Attributes');
    const cert = certificateFrom(card.signingCertDer);
    const sda = cert.extensions.find((e) => e.oid === '2.5.29.9')!;
    t.equal(sda.critical, false);
    const outer = readTlv(sda.value, 0);
    const [attr] = children(sda.value, outer);
    const [type, values] = children(sda.value, attr);
    t.equal(decodeOid(content(sda.value, type)), '2.16.886.1.100.2.51');
    const [value] = children(sda.value, values);
    t.equal(value.tag, 0x13, 'PrintableString');
    t.equal(content(sda.value, value).toString(), '6789');
    // The card's own serial is in the certificate: the portal never takes it from the signer.
    const profile = readProfile(cert);
    t.equal(profile.cardSerial, card.cardSerial);
    t.same(crlUrls(cert), ['http://portal.test:3000/demo-pki/g3.crl']);
    t.same(aiaUrls(cert), ['http://portal.test:3000/demo-pki/ocsp/g3']);
    t.same(aiaUrls(cert, OID.adCaIssuers), ['http://portal.test:3000/demo-pki/g3.crt']);
    t.equal(hasKeyUsage(cert, 2), false, 'no keyEncipherment on the signing certificate');
  },
);

t.test('encryption certificates have keyEncipherment and dataEncipherment but not digitalSignature', async (t) => {
  const cert = certificateFrom(pki.card('lin-meihua').encryptionCertDer);
  t.equal(hasKeyUsage(cert, 0), false);
  t.equal(hasKeyUsage(cert, 2), true);
  t.equal(hasKeyUsage(cert, 3), true);
});

t.test(
  'intermediates keep the real MOICA O and OU, are CAs with pathLen 0 and have distinct key identifiers',
  async (t) => {
    const skis = new Set<string>();
    for (const ca of pki.intermediates.filter((i) => i.kind === 'moica')) {
      const text = openssl([
        'x509',
        '-in',
        pki.path(ca.certFile),
        '-noout',
        '-text',
        '-nameopt',
        'utf8,sep_comma_plus_space',
      ]).stdout;
      t.match(text, `Subject: C=TW, O=行政院, OU=內政部憑證管理中心, CN=測試用 MOICA ${ca.id.toUpperCase()} (DEMO)`);
      t.match(text, /CA:TRUE, pathlen:0/);
      t.match(text, /Certificate Sign, CRL Sign/);
      t.match(text, `URI:http://portal.test:3000/demo-pki/root.crl`);
      t.match(text, `OCSP - URI:http://portal.test:3000/demo-pki/ocsp/root`);
      skis.add(/Subject Key Identifier: *\n *([0-9A-F:]+)/.exec(text)![1]);
    }
    t.equal(skis.size, 2);
    const rootText = openssl([
      'x509',
      '-in',
      pki.path('root.crt.pem'),
      '-noout',
      '-subject',
      '-nameopt',
      'utf8',
    ]).stdout;
    t.match(rootText, /DEMO/);
    t.match(rootText, /測試用/);
  },
);

t.test('each OCSP responder certificate is issued by its CA with id-kp-OCSPSigning and ocsp-nocheck', async (t) => {
  for (const ca of pki.intermediates) {
    const cert = certificateFrom(ca.ocspCertDer);
    t.same(extendedKeyUsages(cert), [OID.ocspSigning]);
    t.ok(hasExtension(cert, OID.ocspNoCheck));
    const r = openssl([
      'verify',
      '-attime',
      ATTIME,
      '-purpose',
      'ocsphelper',
      '-CAfile',
      pki.path(ca.configuredTrust ? ca.certFile : 'root.crt.pem'),
      '-untrusted',
      pki.path(ca.certFile),
      pki.path(ca.ocspCertFile),
    ]);
    t.equal(r.status, 0, r.stdout + r.stderr);
  }
});

t.test('each card PKCS#12 opens in OpenSSL with its PIN without -legacy', async (t) => {
  for (const card of pki.cards) {
    const r = openssl(['pkcs12', '-in', card.p12Path, '-info', '-noout', '-passin', `pass:${card.pin}`]);
    t.equal(r.status, 0, `${card.id}: ${r.stderr}`);
    t.match(r.stderr, /AES-256-CBC/);
  }
});

t.test('a card PKCS#12 refuses a wrong PIN', async (t) => {
  const card = pki.card('wang-xiaoming');
  t.not(openssl(['pkcs12', '-in', card.p12Path, '-info', '-noout', '-passin', 'pass:000000']).status, 0);
  t.throws(() => openPkcs12(readFileSync(card.p12Path), '000000'), /wrong PIN/);
});

t.test(
  'a card PKCS#12 holds a signing and an encryption key, each paired with its certificate and named',
  async (t) => {
    const card = pki.card('chen-zhiming');
    const entries = openPkcs12(readFileSync(card.p12Path), card.pin);
    t.equal(entries.length, 2);
    const signing = entries.find((e) => /signing/.test(e.friendlyName))!;
    const encryption = entries.find((e) => /encryption/.test(e.friendlyName))!;
    t.ok(signing.certDer!.equals(card.signingCertDer));
    t.ok(encryption.certDer!.equals(card.encryptionCertDer));
    t.match(signing.friendlyName, '陳志明');
    const out = execFileSync('openssl', [
      'pkcs12',
      '-in',
      card.p12Path,
      '-nokeys',
      '-passin',
      `pass:${card.pin}`,
    ]).toString('utf8');
    t.match(out, /friendlyName: .*signing/);
  },
);

t.test('CRLs verify under their CA in OpenSSL and the revoked card is listed', async (t) => {
  const revoked = pki.cards.find((c) => c.revoked)!;
  for (const ca of pki.intermediates) {
    const r = openssl([
      'crl',
      '-in',
      pki.path(ca.crlFile),
      '-inform',
      'DER',
      '-CAfile',
      pki.path(ca.certFile),
      '-noout',
      '-text',
    ]);
    t.match(r.stderr + r.stdout, /verify OK/);
    t.equal(r.stdout.includes(revoked.signingSerial), ca.id === revoked.issuer);
  }
});

t.test('revoking a card lists both of its serials on a new CRL with a higher CRL number', async (t) => {
  const before = pki.intermediate('g2').crlNumber;
  const after = revokeDemoCard(pki.dir, 'huang-zhihao', 'keyCompromise', new Date(NOW.getTime() + 60_000));
  const card = after.card('huang-zhihao');
  t.equal(card.revoked, true);
  t.equal(card.revocationReason, 'keyCompromise');
  t.equal(after.intermediate('g2').crlNumber, before + 1);
  const text = openssl(['crl', '-in', after.path('g2.crl'), '-inform', 'DER', '-noout', '-text']).stdout;
  t.match(text, card.signingSerial);
  t.match(text, card.encryptionSerial);
  t.throws(() => revokeDemoCard(pki.dir, 'nobody'), /no demo card/);
});

t.test('refreshDemoCrls re-issues a CRL with less than 12 hours left and leaves fresh ones alone', async (t) => {
  t.equal(refreshDemoCrls(pki.dir, new Date(NOW.getTime() + 3600_000)), false);
  const later = new Date(NOW.getTime() + 13 * 3600_000);
  t.equal(refreshDemoCrls(pki.dir, later), true);
  const reloaded = loadDemoPki(pki.dir);
  t.equal(reloaded.manifest.root.crlThisUpdate, new Date(Math.floor(later.getTime() / 1000) * 1000).toISOString());
});

t.test('ensureDemoPki makes the PKI once, and two callers at the same time end with the same PKI', async (t) => {
  const dir = join(root, 'ensured', 'demo-pki');
  const small = { keyBits: 2048, cards: DEMO_CARDS.slice(0, 1) };
  const [a, b] = await Promise.all([ensureDemoPki(dir, small), ensureDemoPki(dir, small)]);
  const third = await ensureDemoPki(dir, small);
  t.ok(readFileSync(join(dir, 'root.crt.pem')).equals(Buffer.from(third.rootPem)));
  t.equal(a.manifest.createdAt.length > 0, true);
  t.equal(third.manifest.createdAt, loadDemoPki(dir).manifest.createdAt);
  t.ok(a.rootPem === third.rootPem || b.rootPem === third.rootPem);
  t.same(
    readdirSync(join(root, 'ensured')).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary directory left behind',
  );
  t.ok(existsSync(join(dir, 'manifest.json')));
});

t.test('ensureDemoPki refuses a non-empty directory that holds no manifest', async (t) => {
  const dir = join(root, 'not-a-pki');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'something.txt'), 'x');
  await t.rejects(ensureDemoPki(dir, { keyBits: 2048 }), /no demo PKI manifest/);
});

t.test('the demo-pki command lists the cards and revokes one by id', async (t) => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(process.cwd(), 'demo-pki/cli.ts'), ...args], {
      env: { ...process.env, DEMO_PKI_DIR: pki.dir },
      encoding: 'utf8',
    });
  const list = run('list');
  t.equal(list.status, 0, list.stderr);
  for (const card of pki.cards) t.match(list.stdout, card.idNumber);
  const revoke = run('revoke', 'lin-meihua', 'affiliationChanged');
  t.equal(revoke.status, 0, revoke.stderr);
  t.match(revoke.stdout, /revoked lin-meihua/);
  t.equal(loadDemoPki(pki.dir).card('lin-meihua').revocationReason, 'affiliationChanged');
  t.not(run('revoke', 'lin-meihua', 'no-such-reason').status, 0);
  t.not(run('frobnicate').status, 0);
});

t.test('the MOEACA-like and GCA-like CAs keep the real O and OU and chain to the demo root', async (t) => {
  for (const [id, unit] of [
    ['moeaca', '工商憑證管理中心'],
    ['gca', '政府憑證管理中心'],
  ] as const) {
    const ca = pki.intermediate(id);
    t.equal(ca.kind, id);
    t.notOk(ca.configuredTrust);
    const text = openssl([
      'x509',
      '-in',
      pki.path(ca.certFile),
      '-noout',
      '-subject',
      '-nameopt',
      'utf8,sep_comma_plus_space',
    ]).stdout;
    t.match(text, `C=TW, O=行政院, OU=${unit}, CN=測試用 ${id.toUpperCase()} (DEMO)`);
    const r = openssl(['verify', '-attime', ATTIME, '-CAfile', pki.path('root.crt.pem'), pki.path(ca.certFile)]);
    t.equal(r.status, 0, r.stdout + r.stderr);
  }
});

t.test('the customs-only CA is a root of its own, written to the configured-trust folder only', async (t) => {
  const ca = pki.intermediate('customs');
  t.equal(ca.configuredTrust, true);
  t.ok(pki.configuredTrustDir);
  t.same(readdirSync(pki.configuredTrustDir!), ['customs-ca.pem']);
  t.equal(readFileSync(join(pki.configuredTrustDir!, 'customs-ca.pem'), 'utf8'), ca.certPem);
  t.notMatch(readFileSync(pki.path('chain.pem'), 'utf8'), ca.certPem.trim().split('\n')[1]!);
  const self = openssl(['verify', '-attime', ATTIME, '-CAfile', pki.path(ca.certFile), pki.path(ca.certFile)]);
  t.equal(self.status, 0, self.stdout + self.stderr);
  for (const card of pki.cards.filter((c) => c.issuer === 'customs')) {
    const r = openssl(['verify', '-attime', ATTIME, '-CAfile', pki.path(ca.certFile), pki.path(card.signingCertFile)]);
    t.equal(r.status, 0, r.stdout + r.stderr);
  }
});

t.test('the organisation cards carry the business profile the engine reads', async (t) => {
  const wanted = {
    'taiguan-broker': { issuerKind: 'moeaca', businessId: '23456786', category: 'customs_broker', cardRank: 'primary' },
    'xinyi-trading': { issuerKind: 'moeaca', businessId: '53100003', category: 'enterprise', cardRank: 'primary' },
    'closed-company': { issuerKind: 'moeaca', businessId: '86420006', category: 'enterprise', cardRank: 'primary' },
    'customs-agency': { issuerKind: 'gca', businessId: undefined, category: 'government', cardRank: undefined },
    'farglory-customs': {
      issuerKind: 'configured',
      businessId: '13579009',
      category: 'customs_broker',
      cardRank: undefined,
    },
  } as const;
  const store = buildPortalTrustStore({
    includeGpki: false,
    demoAnchors: [pki.rootDer],
    demoIntermediates: pki.intermediates.filter((i) => !i.configuredTrust).map((i) => i.certDer),
    demoTrustDir: pki.configuredTrustDir,
    production: false,
  });
  for (const [id, want] of Object.entries(wanted)) {
    const card = pki.card(id);
    const r = verifyPath({ leaf: card.signingCertDer, anchors: store, time: NOW, purpose: 'signing' });
    t.ok(r.ok, `${id} validates`);
    if (!r.ok) continue;
    const p = readOrganisationProfile(r.path[0]!, r.anchor);
    t.equal(p.issuerKind, want.issuerKind, `${id} issuer kind`);
    t.equal(p.businessId, want.businessId, `${id} 統一編號`);
    t.equal(p.organisationName, card.organisation!.name, `${id} name`);
    t.equal(p.cardRank, want.cardRank, `${id} card rank`);
    t.equal(card.organisation!.category, want.category);
    if (p.businessId)
      t.ok(
        businessIdChecksumValid(p.businessId, 5) && !businessIdChecksumValid(p.businessId, 10),
        `${id}: valid only under the 2023 rule`,
      );
    const wantedCertificate = want.issuerKind === 'configured' ? 'customs' : want.issuerKind;
    t.equal(checkOrganisationCertificate(p, wantedCertificate), undefined, `${id} passes its own check`);
  }
  t.equal(
    readOrganisationProfile(certificateFrom(pki.card('customs-agency').signingCertDer)).agencyCode,
    '2.16.886.101.99001.1',
  );
  t.equal(pki.card('closed-company').revoked, true);
});

t.test('the revoked company card is on the MOEACA-like CA CRL', async (t) => {
  const card = pki.card('closed-company');
  const text = openssl([
    'crl',
    '-in',
    pki.path(pki.intermediate('moeaca').crlFile),
    '-inform',
    'DER',
    '-noout',
    '-text',
  ]).stdout;
  t.match(text, card.signingSerial);
});
