import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { checkCrl, CrlError, parseCrl } from '../../../server/pki/revocation/crl';
import { certificateFrom } from '../../../server/pki/parse';
import { createRevocationChecker } from '../../../server/pki/revocation/checker';
import { buildCrl, encodeName, spkiOf, type RevokedEntry } from '../../../demo-pki/x509-builder';
import { makeOpensslCa, serveBody, startServer, type OpensslCa, type TestServer } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'crl-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const THIS_UPDATE = new Date('2026-03-01T00:00:00Z');
const NEXT_UPDATE = new Date('2026-03-08T00:00:00Z');
const NOW = new Date('2026-03-02T12:00:00Z');

let server: TestServer;
let ca: OpensslCa;
let good: ReturnType<OpensslCa['issue']>;
let revoked: ReturnType<OpensslCa['issue']>;
let crlDer: Buffer;
let served: Buffer;

t.before(async () => {
  server = await startServer();
  ca = makeOpensslCa(join(dir, 'ca'), { crl: `${server.url}/ca.crl`, ocsp: `${server.url}/ocsp` });
  good = ca.issue('good');
  revoked = ca.issue('revoked');
  ca.revoke(revoked.certFile, 'keyCompromise');
  crlDer = ca.gencrl('20260301000000Z', '20260308000000Z');
  served = crlDer;
  server.routes.set(
    '/ca.crl',
    serveBody(() => served, 'application/pkix-crl'),
  );
});
t.teardown(() => server.close());

t.test('a CRL made by openssl ca -gencrl parses with its dates, number and revoked serial', async (t) => {
  const crl = parseCrl(crlDer);
  t.same(crl.thisUpdate, THIS_UPDATE);
  t.same(crl.nextUpdate, NEXT_UPDATE);
  t.equal(crl.crlNumber, 1n);
  t.equal(crl.size, 1);
  const entry = crl.lookup(revoked.serialHex);
  t.ok(entry, 'the revoked serial is listed');
  t.equal(entry!.reason, 1, 'keyCompromise');
  t.equal(crl.lookup(good.serialHex), undefined, 'the good serial is not');
  t.ok(crl.issuer.equals(certificateFrom(ca.caCertDer).subjectDer));
});

t.test('serial lookups ignore case and leading zero octets', async (t) => {
  const crl = parseCrl(crlDer);
  t.ok(crl.lookup(revoked.serialHex.toLowerCase()));
  t.ok(crl.lookup('00' + revoked.serialHex));
});

t.test('an openssl CRL verifies under its issuing CA inside its validity window', async (t) => {
  t.equal(checkCrl(parseCrl(crlDer), certificateFrom(ca.caCertDer), NOW), undefined);
});

t.test('a CRL with one altered byte is refused as a bad signature', async (t) => {
  const tampered = Buffer.from(crlDer);
  const crl = parseCrl(crlDer);
  const at = tampered.indexOf(
    Buffer.from(revoked.serialHex.length % 2 ? '0' + revoked.serialHex : revoked.serialHex, 'hex'),
  );
  t.ok(at > 0);
  tampered[at + 1] ^= 0x01;
  t.equal(checkCrl(parseCrl(tampered), certificateFrom(ca.caCertDer), NOW), 'bad_signature');
  t.equal(parseCrl(tampered).lookup(revoked.serialHex), undefined, 'the altered serial no longer matches');
  t.equal(crl.size, 1);
});

t.test('a CRL past its nextUpdate is refused as stale', async (t) => {
  t.equal(checkCrl(parseCrl(crlDer), certificateFrom(ca.caCertDer), new Date('2026-03-08T00:00:00Z')), 'stale');
});

t.test('a CRL whose thisUpdate is ahead of the clock is refused', async (t) => {
  t.equal(checkCrl(parseCrl(crlDer), certificateFrom(ca.caCertDer), new Date('2026-02-27T00:00:00Z')), 'not_yet_valid');
});

t.test('a CRL checked against another CA is refused as an issuer mismatch', async (t) => {
  t.equal(checkCrl(parseCrl(crlDer), certificateFrom(good.der), NOW), 'issuer_mismatch');
});

t.test('truncated, empty and random input is a CrlError, never a crash', async (t) => {
  for (const bad of [
    crlDer.subarray(0, crlDer.length - 1),
    crlDer.subarray(0, 40),
    Buffer.alloc(0),
    Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
  ]) {
    t.throws(() => parseCrl(bad), { name: 'CrlError' });
  }
  for (let i = 0; i < 2000; i++) {
    const junk = randomBytes(1 + (i % 200));
    try {
      parseCrl(junk);
    } catch (error) {
      if (!(error instanceof CrlError)) t.fail(`non-CrlError thrown: ${(error as Error).message}`);
    }
  }
  const nested = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0xf4]), Buffer.alloc(500, 0x30)]);
  t.throws(() => parseCrl(nested), { name: 'CrlError' });
});

t.test('a large CRL is indexed completely and every listed serial is found', async (t) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const entries: RevokedEntry[] = [];
  for (let i = 0; i < 20_000; i++)
    entries.push({
      serialHex: '4' + randomBytes(15).toString('hex').slice(1),
      revokedAt: THIS_UPDATE,
      reason: i % 2 ? 1 : undefined,
    });
  const der = buildCrl({
    issuer: encodeName([
      { type: 'C', value: 'TW' },
      { type: 'CN', value: 'Big CRL CA' },
    ]),
    issuerSpki: spkiOf(privateKey),
    thisUpdate: THIS_UPDATE,
    nextUpdate: NEXT_UPDATE,
    crlNumber: 7,
    revoked: entries,
    signingKey: privateKey,
  });
  const crl = parseCrl(der);
  t.equal(crl.size, 20_000);
  t.equal(crl.crlNumber, 7n);
  t.ok(entries.every((e) => crl.lookup(e.serialHex) !== undefined));
  t.equal(crl.lookup(entries[1].serialHex)!.reason, 1);
  t.equal(crl.lookup('5' + randomBytes(15).toString('hex').slice(1)), undefined);
});

t.test('the checker in crl mode reports a revoked certificate from the distribution point', async (t) => {
  const checker = createRevocationChecker({ mode: 'crl' });
  const result = await checker.check({ certDer: revoked.der, issuerDer: ca.caCertDer }, NOW);
  t.match(result, { ok: false, reason: 'revoked' });
});

t.test('the checker in crl mode accepts a good certificate and caches the CRL until it is due', async (t) => {
  const checker = createRevocationChecker({ mode: 'crl' });
  const before = server.hits.get('/ca.crl') ?? 0;
  t.same(await checker.check({ certDer: good.der, issuerDer: ca.caCertDer }, NOW), { ok: true, source: 'crl' });
  t.same(await checker.check({ certDer: good.der, issuerDer: ca.caCertDer }, new Date('2026-03-05T00:00:00Z')), {
    ok: true,
    source: 'crl',
  });
  t.match(await checker.check({ certDer: revoked.der, issuerDer: ca.caCertDer }, NOW), {
    ok: false,
    reason: 'revoked',
  });
  t.equal((server.hits.get('/ca.crl') ?? 0) - before, 1, 'downloaded once');
});

t.test('the checker fetches the CRL again within an hour of its nextUpdate', async (t) => {
  const checker = createRevocationChecker({ mode: 'crl' });
  const before = server.hits.get('/ca.crl') ?? 0;
  await checker.check({ certDer: good.der, issuerDer: ca.caCertDer }, NOW);
  await checker.check({ certDer: good.der, issuerDer: ca.caCertDer }, new Date('2026-03-07T23:30:00Z'));
  t.equal((server.hits.get('/ca.crl') ?? 0) - before, 2);
});

t.test('a stale CRL at the distribution point makes the answer revocation_unavailable', async (t) => {
  const checker = createRevocationChecker({ mode: 'crl' });
  const result = await checker.check({ certDer: good.der, issuerDer: ca.caCertDer }, new Date('2026-03-09T00:00:00Z'));
  t.match(result, { ok: false, reason: 'revocation_unavailable', detail: /stale/ });
});

t.test('a tampered CRL at the distribution point is not used', async (t) => {
  const tampered = Buffer.from(crlDer);
  tampered[tampered.length - 5] ^= 0xff;
  server.routes.set(
    '/tampered.crl',
    serveBody(() => tampered),
  );
  const checker = createRevocationChecker({
    mode: 'crl',
    fetch: (url, init) => fetch(String(url).replace('/ca.crl', '/tampered.crl'), init),
  });
  t.match(await checker.check({ certDer: revoked.der, issuerDer: ca.caCertDer }, NOW), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /bad_signature/,
  });
});

t.test('an unreachable distribution point fails closed, and passes with failOpen', async (t) => {
  const fetchFails: typeof fetch = async () => {
    throw new TypeError('fetch failed');
  };
  const closed = createRevocationChecker({ mode: 'crl', fetch: fetchFails });
  t.match(await closed.check({ certDer: good.der, issuerDer: ca.caCertDer }, NOW), {
    ok: false,
    reason: 'revocation_unavailable',
  });
  const open = createRevocationChecker({ mode: 'crl', fetch: fetchFails, failOpen: true });
  t.same(await open.check({ certDer: good.der, issuerDer: ca.caCertDer }, NOW), { ok: true, source: 'fail-open' });
});

t.test('a CRL larger than the size limit is not downloaded in full', async (t) => {
  const checker = createRevocationChecker({ mode: 'crl', maxCrlBytes: 100 });
  t.match(await checker.check({ certDer: good.der, issuerDer: ca.caCertDer }, NOW), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /limit/,
  });
});

t.test('a distribution point that does not answer in time is revocation_unavailable', async (t) => {
  server.routes.set('/hang.crl', () => undefined);
  const checker = createRevocationChecker({
    mode: 'crl',
    timeoutMs: 200,
    fetch: (url, init) => fetch(String(url).replace('/ca.crl', '/hang.crl'), init),
  });
  t.match(await checker.check({ certDer: good.der, issuerDer: ca.caCertDer }, NOW), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /timed out/,
  });
});

t.test('mode off answers ok without looking', async (t) => {
  const checker = createRevocationChecker({ mode: 'off' });
  t.same(await checker.check({ certDer: revoked.der, issuerDer: ca.caCertDer }, NOW), { ok: true, source: 'off' });
});

t.test('a CRL whose issuingDistributionPoint names its URL and user certificates is used for a leaf', async (t) => {
  served = ca.gencrl('20260301000000Z', '20260308000000Z', 'idp_user');
  try {
    const crl = parseCrl(served);
    t.same(crl.idp?.uris, [`${server.url}/ca.crl`]);
    t.equal(crl.idp?.onlyUserCerts, true);
    t.match(
      await createRevocationChecker({ mode: 'crl' }).check({ certDer: revoked.der, issuerDer: ca.caCertDer }, NOW),
      { ok: false, reason: 'revoked' },
    );
  } finally {
    served = crlDer;
  }
});

t.test('a CRL whose issuingDistributionPoint names another URL is not used', async (t) => {
  served = ca.gencrl('20260301000000Z', '20260308000000Z', 'idp_elsewhere');
  try {
    t.match(await createRevocationChecker({ mode: 'crl' }).check({ certDer: good.der, issuerDer: ca.caCertDer }, NOW), {
      ok: false,
      reason: 'revocation_unavailable',
      detail: /out_of_scope/,
    });
  } finally {
    served = crlDer;
  }
});

t.test('a CRL for CA certificates only is not used for a leaf', async (t) => {
  served = ca.gencrl('20260301000000Z', '20260308000000Z', 'idp_ca');
  try {
    t.match(await createRevocationChecker({ mode: 'crl' }).check({ certDer: good.der, issuerDer: ca.caCertDer }, NOW), {
      ok: false,
      reason: 'revocation_unavailable',
      detail: /out_of_scope/,
    });
  } finally {
    served = crlDer;
  }
});
