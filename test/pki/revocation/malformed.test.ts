import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoPki, type DemoPki } from '../../../demo-pki/demo-pki';
import { createDemoOcspResponder } from '../../../demo-pki/ocsp-responder';
import { createRevocationChecker } from '../../../server/pki/revocation/checker';
import { certificateFrom } from '../../../server/pki/parse';
import { buildOcspRequest, certIdFor, parseOcspRequest, parseOcspResponse } from '../../../server/pki/revocation/ocsp';
import { runKeys } from '../../helpers/run-keys';

const NOW = new Date('2026-03-01T08:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'revocation-malformed-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

let pki: DemoPki;
let goodResponse: Buffer;
t.before(async () => {
  pki = await createDemoPki(join(dir, 'pki'), {
    keyBits: 2048,
    now: NOW,
    baseUrl: 'http://127.0.0.1:9',
    newKey: runKeys(),
  });
  const card = pki.card('wang-xiaoming');
  const request = buildOcspRequest(
    certIdFor(certificateFrom(card.signingCertDer), certificateFrom(pki.intermediate('g3').certDer)),
  );
  goodResponse = createDemoOcspResponder(pki.dir, { clock: () => NOW }).respond('g3', request.der);
});

/** How many inputs made `parse` throw something other than a DerError. */
function nonDerErrors(parse: (b: Buffer) => unknown, inputs: Buffer[]): number {
  let other = 0;
  for (const input of inputs) {
    try {
      parse(input);
    } catch (error) {
      if ((error as Error).name !== 'DerError') other++;
    }
  }
  return other;
}

t.test('the OCSP response parser answers every truncation of a real response with a DerError', async (t) => {
  const inputs = [];
  for (let n = 0; n < goodResponse.length; n += 7) inputs.push(goodResponse.subarray(0, n));
  t.equal(nonDerErrors(parseOcspResponse, inputs), 0);
  t.equal(parseOcspResponse(goodResponse).responses[0].status, 'good');
});

t.test(
  'the OCSP response parser answers random bytes and single-byte corruptions with a DerError or a parse',
  async (t) => {
    const inputs = [];
    for (let i = 0; i < 3000; i++) inputs.push(randomBytes(1 + (i % 300)));
    for (let i = 0; i < 2000; i++) {
      const copy = Buffer.from(goodResponse);
      copy[Math.floor(Math.random() * copy.length)] = Math.floor(Math.random() * 256);
      inputs.push(copy);
    }
    t.equal(nonDerErrors(parseOcspResponse, inputs), 0);
    t.equal(nonDerErrors(parseOcspRequest, inputs), 0);
  },
);

t.test(
  'a corrupted OCSP answer never makes the checker throw: it is revocation_unavailable or a verified status',
  async (t) => {
    let thrown = 0;
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      const copy = Buffer.from(goodResponse);
      copy[50 + Math.floor(Math.random() * (copy.length - 50))] ^= 1 + Math.floor(Math.random() * 255);
      const checker = createRevocationChecker({
        mode: 'ocsp',
        requireNonce: false,
        fetch: async () => new Response(new Uint8Array(copy)),
      });
      try {
        const result = await checker.check(
          { certDer: pki.card('wang-xiaoming').signingCertDer, issuerDer: pki.intermediate('g3').certDer },
          NOW,
        );
        if (result.ok) accepted++;
      } catch {
        thrown++;
      }
    }
    t.equal(thrown, 0);
    t.ok(
      accepted < 10,
      `a corrupted answer is rarely still valid (${accepted}/200: only bytes outside the signed data)`,
    );
  },
);

t.test('an unreadable certificate is revocation_unavailable, not an exception', async (t) => {
  const checker = createRevocationChecker({ mode: 'ocsp-then-crl' });
  t.match(await checker.check({ certDer: Buffer.from([0x30, 0x03, 0x02, 0x01]), issuerDer: pki.rootDer }, NOW), {
    ok: false,
    reason: 'revocation_unavailable',
  });
});

t.test(
  'a certificate without CRL distribution point or OCSP URL is revocation_unavailable in every mode but off',
  async (t) => {
    for (const mode of ['ocsp', 'crl', 'ocsp-then-crl'] as const) {
      t.match(await createRevocationChecker({ mode }).check({ certDer: pki.rootDer, issuerDer: pki.rootDer }, NOW), {
        ok: false,
        reason: 'revocation_unavailable',
        detail: /no (CRL distribution point|OCSP responder)/,
      });
    }
  },
);
