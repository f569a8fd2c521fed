// Parsing: every input form, and bad input always ends as a reason, never as an exception.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { MAX_CERT_BYTES } from '../../server/pki/input.js';
import { parseCertificate } from '../../server/pki/parse.js';
import { verifyChain } from '../../server/pki/verify-chain.js';
import { NOW, moicaChain } from './fixtures/forge-certs.js';

const { root, ca, card } = moicaChain();

t.test('a certificate parses from DER, PEM, base64 and base64url alike', async (t) => {
  const forms = [
    card.der,
    card.pem,
    card.der.toString('base64'),
    card.der.toString('base64url'),
    new Uint8Array(card.der),
  ];
  for (const f of forms) {
    const r = parseCertificate(f);
    t.ok(r.ok, typeof f === 'string' ? f.slice(0, 20) : 'bytes');
    if (r.ok) t.equal(r.cert.der.toString('hex'), card.der.toString('hex'));
  }
});

t.test('the TBS bytes are the exact bytes inside the DER, not a re-encoding', async (t) => {
  const r = parseCertificate(card.der);
  t.ok(r.ok);
  if (r.ok) {
    const at = card.der.indexOf(r.cert.tbs);
    t.equal(at, 4, 'TBSCertificate starts after the outer SEQUENCE header');
  }
});

t.test('parsing the same certificate twice returns the cached object', async (t) => {
  const a = parseCertificate(card.pem);
  const b = parseCertificate(card.der);
  t.ok(a.ok && b.ok && a.cert === b.cert);
});

t.test('every real GPKI certificate in trust/gpki parses', async (t) => {
  for (const f of [
    'grca-g1-root',
    'grca-g2-root',
    'grca-g2-cross-by-g1',
    'grca-g3-root',
    'moica-g1',
    'moica-g2',
    'moica-g3',
    'moeaca-g2',
  ]) {
    const r = parseCertificate(readFileSync(new URL(`../../trust/gpki/${f}.pem`, import.meta.url), 'utf8'));
    t.ok(r.ok, f);
  }
});

function expectMalformed(t: Tap, input: Buffer | string, what: string) {
  let r;
  try {
    r = parseCertificate(input);
  } catch (e) {
    t.equal(`threw ${(e as Error).message}`, 'malformed', what);
    return;
  }
  t.equal(r.ok ? 'ok' : r.reason, 'malformed', what);
}
type Tap = { equal: (found: unknown, wanted: unknown, message: string) => unknown };

t.test('every truncation of a certificate is malformed', async (t) => {
  for (let n = 0; n < card.der.length; n += 7) expectMalformed(t, card.der.subarray(0, n), `first ${n} bytes`);
});

t.test('a wrong outer tag, a wrong inner tag and trailing bytes are malformed', async (t) => {
  const wrongOuter = Buffer.from(card.der);
  wrongOuter[0] = 0x31;
  expectMalformed(t, wrongOuter, 'outer SET');
  const wrongTbs = Buffer.from(card.der);
  wrongTbs[4] = 0x04;
  expectMalformed(t, wrongTbs, 'TBS as OCTET STRING');
  expectMalformed(t, Buffer.concat([card.der, Buffer.from([0])]), 'trailing byte');
});

t.test('a length larger than the input, or absurdly large, is malformed', async (t) => {
  expectMalformed(t, Buffer.from('3084ffffffff3000', 'hex'), '4 GiB length');
  expectMalformed(t, Buffer.from('308fffffffffffffffffffffffffffffff', 'hex'), '15-byte length');
  expectMalformed(t, Buffer.from('3080300000000000', 'hex'), 'BER indefinite length');
  expectMalformed(t, Buffer.from('30820010' + '00'.repeat(4), 'hex'), 'length past the end');
});

t.test('deep nesting is malformed, without exhausting the stack', async (t) => {
  const depth = 100_000;
  // SEQUENCE inside SEQUENCE ... built with short lengths where they fit, long forms above
  let inner = Buffer.alloc(0);
  for (let i = 0; i < 2000; i++) {
    const len = inner.length;
    const header =
      len < 0x80
        ? Buffer.from([0x30, len])
        : len < 0x100
          ? Buffer.from([0x30, 0x81, len])
          : Buffer.from([0x30, 0x82, len >> 8, len & 0xff]);
    inner = Buffer.concat([header, inner]);
    if (inner.length > 60_000) break;
  }
  expectMalformed(t, inner, 'nested SEQUENCEs');
  expectMalformed(t, Buffer.from('30'.repeat(depth).slice(0, 2 * 1000)), 'header soup');
});

t.test('input larger than the limit is refused before parsing', async (t) => {
  expectMalformed(t, Buffer.alloc(MAX_CERT_BYTES + 1, 0x30), 'oversized DER');
  expectMalformed(t, 'A'.repeat(MAX_CERT_BYTES * 2 + 1), 'oversized base64');
});

t.test('text that is not PEM or base64 is malformed', async (t) => {
  expectMalformed(t, '', 'empty');
  expectMalformed(t, 'not a certificate!', 'prose');
  expectMalformed(t, '-----BEGIN CERTIFICATE-----\n@@@\n-----END CERTIFICATE-----', 'PEM with junk');
  expectMalformed(t, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', 'a private key');
});

t.test('10,000 random byte strings each give a reason, never a crash', async (t) => {
  let malformed = 0;
  for (let i = 0; i < 10_000; i++) {
    const bytes = randomBytes(1 + (i % 600));
    // half of them start like a certificate, so the parser gets past the first byte
    if (i % 2) {
      bytes[0] = 0x30;
      bytes[1] = 0x82;
      bytes[2] = (bytes.length - 4) >> 8;
      bytes[3] = (bytes.length - 4) & 0xff;
    }
    const r = parseCertificate(bytes);
    if (!r.ok && r.reason === 'malformed') malformed++;
  }
  t.equal(malformed, 10_000);
});

t.test('no single-byte corruption of a valid card passes the whole verifier', async (t) => {
  const reasons = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const der = Buffer.from(card.der);
    der[i % der.length] ^= 1 + (i % 255);
    const r = await verifyChain({
      leaf: der,
      intermediates: [ca.der],
      anchors: [root.pem],
      time: NOW,
      purpose: 'signing',
    });
    const key = r.ok ? 'ok' : r.reason;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  t.notOk(reasons.has('ok'), JSON.stringify([...reasons]));
  t.ok(reasons.has('malformed') && reasons.has('bad_signature'), JSON.stringify([...reasons]));
});
