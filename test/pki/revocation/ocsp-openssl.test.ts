// OCSP against a real, independent peer: `openssl ocsp` as the responder for an OpenSSL-made CA.
// openssl dates its answers by the wall clock, so NOW is read once here and every check passes it explicitly.
import t from 'tap';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRevocationChecker } from '../../../server/pki/revocation/checker';
import { certificateFrom } from '../../../server/pki/parse';
import { buildOcspRequest, certIdFor, parseOcspResponse } from '../../../server/pki/revocation/ocsp';
import { freePort, makeOpensslCa, openssl, pemToDer, startOpensslOcsp, type OpensslCa } from './helpers';

const NOW = new Date();
const dir = mkdtempSync(join(tmpdir(), 'ocsp-openssl-test-'));
const children: ChildProcess[] = [];
t.teardown(() => {
  for (const child of children) child.kill();
  rmSync(dir, { recursive: true, force: true });
});

let ca: OpensslCa;
let port: number;
let good: ReturnType<OpensslCa['issue']>;
let revoked: ReturnType<OpensslCa['issue']>;
let unknownDer: Buffer;
let delegated: ReturnType<OpensslCa['issue']>;
let noEku: ReturnType<OpensslCa['issue']>;

/** Points every OCSP request at another local port (the certificates name `port`). */
const toPort =
  (other: number): typeof fetch =>
  (url, init) =>
    fetch(String(url).replace(`:${port}/`, `:${other}/`), init);

async function responder(signerCert: string, signerKey: string, extra: string[] = []): Promise<number> {
  const p = await freePort();
  children.push(
    await startOpensslOcsp(
      [
        '-index',
        join(ca.dir, 'index.txt'),
        '-CA',
        ca.caCertFile,
        '-rsigner',
        signerCert,
        '-rkey',
        signerKey,
        '-nmin',
        '60',
        ...extra,
      ],
      p,
    ),
  );
  return p;
}

let ekuPort: number;
let caSignedPort: number;

t.before(async () => {
  port = await freePort();
  ca = makeOpensslCa(join(dir, 'ca'), { crl: `http://127.0.0.1:${port}/ca.crl`, ocsp: `http://127.0.0.1:${port}/` });
  good = ca.issue('good');
  revoked = ca.issue('revoked');
  delegated = ca.issue('ocsp-responder', { extensions: 'ocsp_ext' });
  noEku = ca.issue('no-eku-responder', { extensions: 'noeku_ext' });
  ca.revoke(revoked.certFile, 'keyCompromise');
  // Signed by the CA key but never entered in its database: openssl answers "unknown".
  const csr = join(ca.dir, 'stranger.csr');
  openssl([
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(ca.dir, 'stranger.key'),
    '-out',
    csr,
    '-subj',
    '/CN=stranger',
    '-config',
    ca.config,
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.caCertFile,
    '-CAkey',
    ca.caKeyFile,
    '-set_serial',
    '0x7777',
    '-days',
    '365',
    '-extfile',
    ca.config,
    '-extensions',
    'leaf_ext',
    '-out',
    join(ca.dir, 'stranger.crt'),
  ]);
  unknownDer = pemToDer(readFileSync(join(ca.dir, 'stranger.crt'), 'utf8'));
  children.push(
    await startOpensslOcsp(
      [
        '-index',
        join(ca.dir, 'index.txt'),
        '-CA',
        ca.caCertFile,
        '-rsigner',
        delegated.certFile,
        '-rkey',
        delegated.keyFile,
        '-nmin',
        '60',
      ],
      port,
    ),
  );
  ekuPort = await responder(noEku.certFile, noEku.keyFile);
  caSignedPort = await responder(ca.caCertFile, ca.caKeyFile);
});

const subject = (der: Buffer) => ({ certDer: der, issuerDer: ca.caCertDer });

t.test('openssl ocsp answers our request with the nonce echoed and a good status', async (t) => {
  const certId = certIdFor(certificateFrom(good.der), certificateFrom(ca.caCertDer));
  const request = buildOcspRequest(certId);
  const response = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/ocsp-request' },
    body: new Uint8Array(request.der),
  });
  const parsed = parseOcspResponse(Buffer.from(await response.arrayBuffer()));
  t.equal(parsed.responseStatus, 0);
  t.ok(parsed.nonce?.equals(request.nonce), 'nonce echoed');
  t.equal(parsed.responses[0].status, 'good');
  t.ok(
    parsed.certs.some((c) => c.equals(delegated.der)),
    'the delegated responder certificate is included',
  );
});

t.test('a good certificate is ok by openssl ocsp through its delegated responder', async (t) => {
  t.same(await createRevocationChecker({ mode: 'ocsp' }).check(subject(good.der), NOW), { ok: true, source: 'ocsp' });
});

t.test('a revoked certificate is reported revoked with its reason by openssl ocsp', async (t) => {
  t.match(await createRevocationChecker({ mode: 'ocsp' }).check(subject(revoked.der), NOW), {
    ok: false,
    reason: 'revoked',
    detail: /keyCompromise/,
  });
});

t.test('a certificate openssl ocsp does not know is revocation_unknown', async (t) => {
  t.match(await createRevocationChecker({ mode: 'ocsp' }).check(subject(unknownDer), NOW), {
    ok: false,
    reason: 'revocation_unknown',
  });
});

t.test('a SHA-256 CertID is answered by openssl ocsp too', async (t) => {
  t.same(await createRevocationChecker({ mode: 'ocsp', ocspHash: 'sha256' }).check(subject(good.der), NOW), {
    ok: true,
    source: 'ocsp',
  });
});

t.test('an answer signed by the CA itself is accepted', async (t) => {
  t.same(await createRevocationChecker({ mode: 'ocsp', fetch: toPort(caSignedPort) }).check(subject(good.der), NOW), {
    ok: true,
    source: 'ocsp',
  });
});

t.test('an answer signed by a responder without id-kp-OCSPSigning is refused', async (t) => {
  t.match(await createRevocationChecker({ mode: 'ocsp', fetch: toPort(ekuPort) }).check(subject(good.der), NOW), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /unauthorized_responder/,
  });
});

t.test('an openssl answer older than its nextUpdate is refused as stale', async (t) => {
  const later = new Date(NOW.getTime() + 2 * 3600_000);
  t.match(await createRevocationChecker({ mode: 'ocsp' }).check(subject(good.der), later), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /stale/,
  });
});

t.test('an openssl answer with one altered signature byte is refused', async (t) => {
  const altering: typeof fetch = async (url, init) => {
    const response = await fetch(url, init);
    const body = Buffer.from(await response.arrayBuffer());
    // the signature sits just before the [0] certs field, which holds the responder certificate
    const at = body.indexOf(delegated.der) - 20;
    body[at] ^= 0x01;
    return new Response(new Uint8Array(body), { status: 200 });
  };
  t.match(await createRevocationChecker({ mode: 'ocsp', fetch: altering }).check(subject(good.der), NOW), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /bad_signature/,
  });
});

t.test('a responder that is not listening fails closed, and passes with failOpen', async (t) => {
  const closedPort = await freePort();
  t.match(await createRevocationChecker({ mode: 'ocsp', fetch: toPort(closedPort) }).check(subject(good.der), NOW), {
    ok: false,
    reason: 'revocation_unavailable',
  });
  t.same(
    await createRevocationChecker({ mode: 'ocsp', fetch: toPort(closedPort), failOpen: true }).check(
      subject(good.der),
      NOW,
    ),
    {
      ok: true,
      source: 'fail-open',
    },
  );
});
