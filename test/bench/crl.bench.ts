// Prints how long parsing a 400,000-entry CRL takes and the cost of one revocation lookup. Numbers only, never asserted.
// Run: npx tsx test/bench/crl.bench.ts [entries]
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { buildCrl, encodeName, spkiOf, type RevokedEntry } from '../../demo-pki/x509-builder';
import { parseCrl } from '../../server/pki/index';

const count = Number(process.argv[2] ?? 400_000);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = new Date();
const revoked: RevokedEntry[] = [];
for (let i = 0; i < count; i++) {
  // 16-octet serials like MOICA's, a third with a reason code
  revoked.push({
    serialHex: '1' + randomBytes(16).toString('hex').slice(1),
    revokedAt: now,
    reason: i % 3 === 0 ? 1 : undefined,
  });
}
let t0 = performance.now();
const der = buildCrl({
  issuer: encodeName([
    { type: 'C', value: 'TW' },
    { type: 'O', value: '行政院' },
    { type: 'OU', value: '內政部憑證管理中心' },
  ]),
  issuerSpki: spkiOf(privateKey),
  thisUpdate: now,
  nextUpdate: new Date(now.getTime() + 86_400_000),
  crlNumber: 1,
  revoked,
  signingKey: privateKey,
});
const buildMs = performance.now() - t0;

const runs = 5;
const times: number[] = [];
let crl = parseCrl(der);
for (let i = 0; i < runs; i++) {
  t0 = performance.now();
  crl = parseCrl(der);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);

const lookups = 1_000_000;
const probes = [
  revoked[12345].serialHex,
  revoked[count - 1].serialHex,
  'ABCDEF0123456789',
  '7' + randomBytes(15).toString('hex'),
];
let hits = 0;
t0 = performance.now();
for (let i = 0; i < lookups; i++) if (crl.lookup(probes[i & 3])) hits++;
const lookupNs = ((performance.now() - t0) * 1e6) / lookups;

console.log(
  `CRL with ${crl.size.toLocaleString('en')} entries, ${(der.length / 1e6).toFixed(1)} MB DER (built in ${buildMs.toFixed(0)} ms)`,
);
console.log(
  `parse: median ${times[Math.floor(runs / 2)].toFixed(0)} ms, best ${times[0].toFixed(0)} ms, worst ${times[runs - 1].toFixed(0)} ms over ${runs} runs`,
);
console.log(
  `lookup: ${lookupNs.toFixed(0)} ns per lookup (${lookups.toLocaleString('en')} lookups, half hits: ${hits.toLocaleString('en')})`,
);
