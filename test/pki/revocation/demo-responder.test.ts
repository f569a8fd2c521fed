import t from 'tap';
import Fastify, { type FastifyInstance } from 'fastify';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import demoPkiPlugin from '../../../demo-pki/plugin';
import { createDemoPki, revokeDemoCard, type DemoPki } from '../../../demo-pki/demo-pki';
import { buildOcspResponse } from '../../../demo-pki/ocsp-responder';
import {
  authorityKeyIdentifier,
  authorityInfoAccess,
  buildCertificate,
  crlDistributionPoint,
  encodeName,
  extKeyUsage,
  keyUsage,
  randomSerial,
  spkiOf,
} from '../../../demo-pki/x509-builder';
import { createRevocationChecker } from '../../../server/pki/revocation/checker';
import { certificateFrom } from '../../../server/pki/parse';
import { hasExtension } from '../../../server/pki/certificate-fields';
import { OID } from '../../../server/pki/oids';
import { buildOcspRequest, certIdFor, parseOcspRequest, parseOcspResponse } from '../../../server/pki/revocation/ocsp';
import { parseCrl, checkCrl } from '../../../server/pki/revocation/crl';
import { runKeys } from '../../helpers/run-keys';

const NOW = new Date('2026-03-01T08:00:00Z');
/** openssl as an OCSP client talks to this process's server, so it must not block the event loop. */
const opensslAsync = (args: string[]) =>
  promisify(execFile)('openssl', args, { encoding: 'utf8' }).catch(
    (error: { stdout: string; stderr: string }) => error,
  );
const dir = mkdtempSync(join(tmpdir(), 'demo-responder-test-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

let clockNow = NOW;
let app: FastifyInstance;
let pki: DemoPki;
let baseUrl: string;
const hits: string[] = [];

t.before(async () => {
  app = Fastify();
  app.addHook('onRequest', async (request) => {
    hits.push(`${request.method} ${request.url}`);
  });
  await app.register(demoPkiPlugin, { pkiDir: join(dir, 'pki'), clock: () => clockNow });
  await app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  pki = await createDemoPki(join(dir, 'pki'), { keyBits: 2048, baseUrl, now: NOW, newKey: runKeys() });
});
t.teardown(() => app.close());

const subjectOf = (cardId: string) => ({
  certDer: pki.card(cardId).signingCertDer,
  issuerDer: pki.intermediate(pki.card(cardId).issuer).certDer,
});
const ocspHits = () => hits.filter((h) => h.startsWith('POST /demo-pki/ocsp/')).length;

/** A fetch that hands the real response to `rewrite` before the checker sees it. */
const rewriting =
  (rewrite: (body: Buffer, requestBody: Buffer) => Buffer): typeof fetch =>
  async (url, init) => {
    const response = await fetch(url, init);
    const body = Buffer.from(await response.arrayBuffer());
    const out = rewrite(body, Buffer.from(init!.body as Uint8Array));
    return new Response(new Uint8Array(out), {
      status: response.status,
      headers: { 'content-type': 'application/ocsp-response' },
    });
  };

t.test('the demo route serves each CA certificate and a CRL that OpenSSL verifies', async (t) => {
  for (const ca of pki.intermediates) {
    const crt = await fetch(`${baseUrl}/demo-pki/${ca.id}.crt`);
    t.equal(crt.headers.get('content-type'), 'application/pkix-cert');
    t.ok(Buffer.from(await crt.arrayBuffer()).equals(ca.certDer));
    const crl = await fetch(`${baseUrl}/demo-pki/${ca.id}.crl`);
    t.equal(crl.headers.get('content-type'), 'application/pkix-crl');
    const der = Buffer.from(await crl.arrayBuffer());
    t.equal(checkCrl(parseCrl(der), certificateFrom(ca.certDer), NOW), undefined);
    const out = spawnSync('openssl', ['crl', '-inform', 'DER', '-CAfile', pki.path(ca.certFile), '-noout'], {
      input: der,
      encoding: 'utf8',
    });
    t.match(out.stderr + out.stdout, /verify OK/);
  }
  t.equal((await fetch(`${baseUrl}/demo-pki/other.crl`)).status, 404);
});

t.test(
  'the demo OCSP responder answers good for a good card, with the delegated responder certificate and the nonce',
  async (t) => {
    const card = pki.card('wang-xiaoming');
    const certId = certIdFor(certificateFrom(card.signingCertDer), certificateFrom(pki.intermediate('g3').certDer));
    const request = buildOcspRequest(certId);
    const response = await fetch(`${baseUrl}/demo-pki/ocsp/g3`, {
      method: 'POST',
      headers: { 'content-type': 'application/ocsp-request' },
      body: new Uint8Array(request.der),
    });
    t.equal(response.headers.get('content-type'), 'application/ocsp-response');
    const parsed = parseOcspResponse(Buffer.from(await response.arrayBuffer()));
    t.equal(parsed.responseStatus, 0);
    t.equal(parsed.responses[0].status, 'good');
    t.ok(parsed.nonce!.equals(request.nonce));
    t.ok(parsed.certs[0].equals(pki.intermediate('g3').ocspCertDer));
    t.same(parsed.responses[0].thisUpdate, NOW);
  },
);

t.test('the checker in ocsp mode accepts a good demo card', async (t) => {
  const checker = createRevocationChecker({ mode: 'ocsp' });
  t.same(await checker.check(subjectOf('wang-xiaoming'), NOW), { ok: true, source: 'ocsp' });
});

t.test('the checker in ocsp mode reports the card revoked when the PKI was made', async (t) => {
  const checker = createRevocationChecker({ mode: 'ocsp' });
  t.match(await checker.check(subjectOf('zhang-yating'), NOW), {
    ok: false,
    reason: 'revoked',
    detail: /keyCompromise/,
  });
});

t.test(
  'an intermediate is checked against the root through the root-signed OCSP responder and the root CRL',
  async (t) => {
    const subject = { certDer: pki.intermediate('g2').certDer, issuerDer: pki.rootDer };
    t.same(await createRevocationChecker({ mode: 'ocsp' }).check(subject, NOW), { ok: true, source: 'ocsp' });
    t.same(await createRevocationChecker({ mode: 'crl' }).check(subject, NOW), { ok: true, source: 'crl' });
  },
);

t.test('a certificate the CA never issued is answered unknown, which counts as revoked', async (t) => {
  const g2 = pki.intermediate('g2');
  const caKey = createPrivateKey(readFileSync(pki.path(g2.keyFile), 'utf8'));
  const leafKey = createPrivateKey(readFileSync(pki.path('keys/g2-ocsp.key.pem'), 'utf8'));
  const stranger = buildCertificate({
    serial: randomSerial(),
    issuer: certificateFrom(g2.certDer).subjectDer,
    subject: encodeName([
      { type: 'C', value: 'TW' },
      { type: 'CN', value: '不存在' },
    ]),
    notBefore: NOW,
    notAfter: new Date(NOW.getTime() + 86400_000 * 365),
    spki: spkiOf(leafKey),
    signingKey: caKey,
    extensions: [
      authorityKeyIdentifier(spkiOf(caKey)),
      keyUsage([0]),
      authorityInfoAccess({ ocsp: g2.ocspUrl }),
      crlDistributionPoint(g2.crlUrl),
    ],
  });
  const checker = createRevocationChecker({ mode: 'ocsp' });
  t.match(await checker.check({ certDer: stranger, issuerDer: g2.certDer }, NOW), {
    ok: false,
    reason: 'revocation_unknown',
  });
});

t.test('revoking a demo card shows at once in OCSP and in the CRL', async (t) => {
  const before = createRevocationChecker({ mode: 'ocsp' });
  t.same(await before.check(subjectOf('huang-zhihao'), NOW), { ok: true, source: 'ocsp' });
  pki = revokeDemoCard(pki.dir, 'huang-zhihao', 'keyCompromise', new Date(NOW.getTime() + 60_000));
  const later = new Date(NOW.getTime() + 120_000);
  clockNow = later;
  t.match(await createRevocationChecker({ mode: 'ocsp' }).check(subjectOf('huang-zhihao'), later), {
    ok: false,
    reason: 'revoked',
  });
  t.match(await createRevocationChecker({ mode: 'crl' }).check(subjectOf('huang-zhihao'), later), {
    ok: false,
    reason: 'revoked',
  });
  const encryption = { certDer: pki.card('huang-zhihao').encryptionCertDer, issuerDer: pki.intermediate('g2').certDer };
  t.match(await createRevocationChecker({ mode: 'crl' }).check(encryption, later), { ok: false, reason: 'revoked' });
  clockNow = NOW;
});

t.test('an OCSP answer is cached until its nextUpdate', async (t) => {
  const checker = createRevocationChecker({ mode: 'ocsp' });
  const before = ocspHits();
  await checker.check(subjectOf('lin-meihua'), NOW);
  await checker.check(subjectOf('lin-meihua'), new Date(NOW.getTime() + 3 * 60_000));
  t.equal(ocspHits() - before, 1);
  await checker.check(subjectOf('lin-meihua'), new Date(NOW.getTime() + 6 * 60_000));
  t.equal(ocspHits() - before, 2, 'asked again after nextUpdate');
});

t.test('an OCSP response with an altered signature is refused', async (t) => {
  const checker = createRevocationChecker({
    mode: 'ocsp',
    fetch: rewriting((body) => {
      const copy = Buffer.from(body);
      const sigAt = copy.length - pki.intermediate('g3').ocspCertDer.length - 40;
      copy[sigAt] ^= 0x01;
      return copy;
    }),
  });
  t.match(await checker.check(subjectOf('wang-xiaoming'), NOW), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /bad_signature/,
  });
});

t.test('an OCSP response that does not echo the request nonce is refused', async (t) => {
  const g3 = pki.intermediate('g3');
  const ocspKey = createPrivateKey(readFileSync(pki.path(g3.ocspKeyFile), 'utf8'));
  const checker = createRevocationChecker({
    mode: 'ocsp',
    fetch: rewriting((_body, requestBody) => {
      const request = parseOcspRequest(requestBody);
      return buildOcspResponse({
        signerCertDer: g3.ocspCertDer,
        signerKey: ocspKey,
        includeSignerCert: true,
        producedAt: NOW,
        answers: [
          {
            certId: request.certIds[0],
            status: 'good',
            thisUpdate: NOW,
            nextUpdate: new Date(NOW.getTime() + 3600_000),
          },
        ],
        nonce: Buffer.alloc(32, 7),
      });
    }),
  });
  t.match(await checker.check(subjectOf('wang-xiaoming'), NOW), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /nonce_mismatch/,
  });
});

t.test('a stale OCSP response is refused', async (t) => {
  clockNow = new Date(NOW.getTime() - 11 * 60_000);
  try {
    const checker = createRevocationChecker({ mode: 'ocsp' });
    t.match(await checker.check(subjectOf('wang-xiaoming'), NOW), {
      ok: false,
      reason: 'revocation_unavailable',
      detail: /stale/,
    });
  } finally {
    clockNow = NOW;
  }
});

t.test('an OCSP response dated in the future beyond the clock skew is refused', async (t) => {
  clockNow = new Date(NOW.getTime() + 3600_000);
  try {
    const checker = createRevocationChecker({ mode: 'ocsp' });
    t.match(await checker.check(subjectOf('wang-xiaoming'), NOW), {
      ok: false,
      reason: 'revocation_unavailable',
      detail: /not_yet_valid/,
    });
  } finally {
    clockNow = NOW;
  }
});

/** Signs a good answer with a responder certificate made for the test. */
function answerSignedBy(
  makeResponder: (
    caKey: ReturnType<typeof createPrivateKey>,
    responderKey: ReturnType<typeof createPrivateKey>,
  ) => Buffer,
): typeof fetch {
  const g3 = pki.intermediate('g3');
  const caKey = createPrivateKey(readFileSync(pki.path(g3.keyFile), 'utf8'));
  const responderKey = createPrivateKey(readFileSync(pki.path('keys/g2-ocsp.key.pem'), 'utf8'));
  const responderCert = makeResponder(caKey, responderKey);
  return rewriting((_body, requestBody) => {
    const request = parseOcspRequest(requestBody);
    return buildOcspResponse({
      signerCertDer: responderCert,
      signerKey: responderKey,
      includeSignerCert: true,
      producedAt: NOW,
      answers: [
        { certId: request.certIds[0], status: 'good', thisUpdate: NOW, nextUpdate: new Date(NOW.getTime() + 3600_000) },
      ],
      nonce: request.nonce,
    });
  });
}

t.test('a responder certificate issued by the CA without id-kp-OCSPSigning is refused', async (t) => {
  const g3 = pki.intermediate('g3');
  const fetcher = answerSignedBy((caKey, responderKey) =>
    buildCertificate({
      serial: randomSerial(),
      issuer: certificateFrom(g3.certDer).subjectDer,
      subject: encodeName([
        { type: 'C', value: 'TW' },
        { type: 'CN', value: 'No EKU responder' },
      ]),
      notBefore: NOW,
      notAfter: new Date(NOW.getTime() + 86400_000),
      spki: spkiOf(responderKey),
      signingKey: caKey,
      extensions: [authorityKeyIdentifier(spkiOf(caKey)), keyUsage([0])],
    }),
  );
  const checker = createRevocationChecker({ mode: 'ocsp', fetch: fetcher });
  t.match(await checker.check(subjectOf('wang-xiaoming'), NOW), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /unauthorized_responder/,
  });
});

t.test('a responder certificate with id-kp-OCSPSigning from another CA is refused', async (t) => {
  const g2 = pki.intermediate('g2');
  const fetcher = answerSignedBy(() => g2.ocspCertDer);
  const checker = createRevocationChecker({ mode: 'ocsp', fetch: fetcher });
  t.match(await checker.check(subjectOf('wang-xiaoming'), NOW), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /unauthorized_responder/,
  });
});

t.test('an unreachable OCSP responder fails closed, and passes with failOpen', async (t) => {
  const down: typeof fetch = async () => {
    throw new TypeError('connect ECONNREFUSED');
  };
  t.match(await createRevocationChecker({ mode: 'ocsp', fetch: down }).check(subjectOf('wang-xiaoming'), NOW), {
    ok: false,
    reason: 'revocation_unavailable',
    detail: /ECONNREFUSED/,
  });
  t.same(
    await createRevocationChecker({ mode: 'ocsp', fetch: down, failOpen: true }).check(subjectOf('wang-xiaoming'), NOW),
    { ok: true, source: 'fail-open' },
  );
});

t.test('failOpen never turns a revoked answer into ok', async (t) => {
  t.match(await createRevocationChecker({ mode: 'ocsp', failOpen: true }).check(subjectOf('zhang-yating'), NOW), {
    ok: false,
    reason: 'revoked',
  });
});

t.test('ocsp-then-crl falls back to the CRL when the OCSP responder is down', async (t) => {
  const ocspDown: typeof fetch = async (url, init) => {
    if (String(url).includes('/ocsp/')) throw new TypeError('connect ECONNREFUSED');
    return fetch(url, init);
  };
  const checker = createRevocationChecker({ mode: 'ocsp-then-crl', fetch: ocspDown });
  t.same(await checker.check(subjectOf('wang-xiaoming'), NOW), { ok: true, source: 'crl' });
  t.match(await checker.check(subjectOf('zhang-yating'), NOW), { ok: false, reason: 'revoked', detail: /^crl/ });
});

t.test('ocsp-then-crl uses OCSP when it answers', async (t) => {
  t.same(await createRevocationChecker({ mode: 'ocsp-then-crl' }).check(subjectOf('chen-zhiming'), NOW), {
    ok: true,
    source: 'ocsp',
  });
});

t.test('a SHA-256 CertID is answered as well as a SHA-1 one', async (t) => {
  t.same(await createRevocationChecker({ mode: 'ocsp', ocspHash: 'sha256' }).check(subjectOf('chen-zhiming'), NOW), {
    ok: true,
    source: 'ocsp',
  });
});

t.test('a malformed OCSP request gets a malformedRequest answer, not an error page', async (t) => {
  const response = await fetch(`${baseUrl}/demo-pki/ocsp/g2`, {
    method: 'POST',
    headers: { 'content-type': 'application/ocsp-request' },
    body: new Uint8Array([1, 2, 3]),
  });
  t.equal(response.status, 200);
  t.equal(parseOcspResponse(Buffer.from(await response.arrayBuffer())).responseStatus, 1);
});

t.test('the demo OCSP responder also answers the GET form of RFC 6960 Appendix A', async (t) => {
  const certId = certIdFor(
    certificateFrom(pki.card('chen-zhiming').signingCertDer),
    certificateFrom(pki.intermediate('g2').certDer),
  );
  const request = buildOcspRequest(certId);
  const response = await fetch(`${baseUrl}/demo-pki/ocsp/g2/${encodeURIComponent(request.der.toString('base64'))}`);
  t.equal(parseOcspResponse(Buffer.from(await response.arrayBuffer())).responses[0]?.status, 'good');
});

t.test('openssl ocsp as a client accepts the demo responder answers', async (t) => {
  clockNow = new Date();
  try {
    const card = pki.card('wang-xiaoming');
    const g3 = pki.intermediate('g3');
    const out = await opensslAsync([
      'ocsp',
      '-issuer',
      pki.path(g3.certFile),
      '-cert',
      pki.path(card.signingCertFile),
      '-url',
      g3.ocspUrl,
      '-CAfile',
      pki.path('root.crt.pem'),
      '-verify_other',
      pki.path(g3.certFile),
    ]);
    t.match(out.stdout, /: good/, out.stdout + out.stderr);
    t.match(out.stderr, /Response verify OK/);
    const revoked = pki.card('zhang-yating');
    const out2 = await opensslAsync([
      'ocsp',
      '-issuer',
      pki.path(g3.certFile),
      '-cert',
      pki.path(revoked.signingCertFile),
      '-url',
      g3.ocspUrl,
      '-CAfile',
      pki.path('root.crt.pem'),
      '-verify_other',
      pki.path(g3.certFile),
    ]);
    t.match(out2.stdout, /: revoked/);
    t.match(out2.stdout, /Reason: keyCompromise/);
  } finally {
    clockNow = NOW;
  }
});

t.test('the OCSP responder certificate carries ocsp-nocheck so it is not itself checked', async (t) => {
  t.ok(hasExtension(certificateFrom(pki.intermediate('g2').ocspCertDer), OID.ocspNoCheck));
  t.same(extKeyUsage(OID.ocspSigning).oid, OID.extKeyUsage);
});
