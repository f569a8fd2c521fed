// Chain validation throughput: this engine vs pkijs' CertificateChainValidationEngine vs node-forge's
// verifyCertificateChain, on the same 3-level RSA-2048 chains (root → intermediate → leaf), caches warm.
// Rates per CPU-second of this process (and per wall second). Numbers are printed, never asserted. Run: npm run bench:pki [-- seconds-per-engine]
// CRL parsing and revocation look-ups are measured by the sibling test/bench/crl.bench.ts (revocation engine).
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import forge from 'node-forge';
import * as pkijs from 'pkijs';
import {
  createTrustStore,
  parseCertificate,
  verifyChain,
  verifyPath,
  type Certificate,
} from '../../server/pki/index.js';
import { makeCard, makeIntermediate, makeRoot, rsaKey, type Issued } from '../pki/fixtures/forge-certs.js';

const SECONDS = Number(process.argv[2] ?? 2);
const TIME = new Date('2026-03-01T00:00:00Z');
const CHAINS = 8;

// 8 distinct chains so the engines cannot get by on a single hot entry; each chain has its own keys.
const chains: { root: Issued; ca: Issued; leaf: Issued }[] = [];
for (let i = 0; i < CHAINS; i++) {
  const root = makeRoot(`Bench Root ${i}`, { key: rsaKey(2048, 10 + 3 * i) });
  const ca = makeIntermediate(root, `Bench CA ${i}`, { key: rsaKey(2048, 11 + 3 * i) });
  const leaf = makeCard(ca, { key: rsaKey(2048, 12 + 3 * i), name: `Bench ${i}` });
  chains.push({ root, ca, leaf });
}

async function measure(name: string, once: (i: number) => boolean | Promise<boolean>): Promise<number> {
  // warm-up: fills every cache the engine has, and checks it accepts the chains at all
  for (let i = 0; i < CHAINS * 2; i++)
    if (!(await once(i))) throw new Error(`${name} refused bench chain ${i % CHAINS}`);
  // and half a second more so the JIT has settled before the clock starts
  for (let i = 0, until = performance.now() + 500; performance.now() < until; i++) await once(i);
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() < end) {
    for (let k = 0; k < 50; k++) {
      await once(n);
      n++;
    }
  }
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // per CPU-second: on a shared, busy machine the wall clock also counts other processes' turns on the core
  const rate = n / ((cpu.user + cpu.system) / 1e6);
  console.log(`${name.padEnd(58)} ${rate.toFixed(0).padStart(9)} /CPU-s ${(n / wall).toFixed(0).padStart(9)} /wall-s`);
  return rate;
}

// ---- this engine ----
const store = createTrustStore({ anchors: chains.map((c) => c.root.der) });
const ders = chains.map((c) => ({ leaf: c.leaf.der, intermediates: [c.ca.der] }));

const ours = await measure('sw-portal verifyPath (DER in, all caches warm)', (i) => {
  const c = ders[i % CHAINS];
  return verifyPath({ leaf: c.leaf, intermediates: c.intermediates, anchors: store, time: TIME, purpose: 'signing' })
    .ok;
});
const oursAsync = await measure('sw-portal verifyChain (async, revocation off)', async (i) => {
  const c = ders[i % CHAINS];
  return (
    await verifyChain({ leaf: c.leaf, intermediates: c.intermediates, anchors: store, time: TIME, purpose: 'signing' })
  ).ok;
});
const parsed = chains.map((c) =>
  [c.leaf, c.ca].map((x) => (parseCertificate(x.der) as { ok: true; cert: Certificate }).cert),
);
const oursNoSigCache = await measure('sw-portal verifyPath, RSA signatures re-verified each time', (i) => {
  const [leaf, ca] = parsed[i % CHAINS];
  leaf.signatureCache.clear();
  ca.signatureCache.clear();
  return verifyPath({ leaf, intermediates: [ca], anchors: store, time: TIME, purpose: 'signing' }).ok;
});

// ---- pkijs ----
pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));
const toPkijs = (der: Buffer) => new pkijs.Certificate({ schema: asn1js.fromBER(new Uint8Array(der).buffer).result });
const pk = chains.map((c) => ({ root: toPkijs(c.root.der), ca: toPkijs(c.ca.der), leaf: toPkijs(c.leaf.der) }));
const pkijsRate = await measure('pkijs CertificateChainValidationEngine (pre-parsed)', async (i) => {
  const c = pk[i % CHAINS];
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: [c.root],
    certs: [c.leaf, c.ca],
    checkDate: TIME,
  });
  return (await engine.verify()).result;
});

// ---- node-forge ----
const fg = chains.map((c) => {
  const [root, ca, leaf] = [c.root, c.ca, c.leaf].map((x) =>
    forge.pki.certificateFromAsn1(forge.asn1.fromDer(x.der.toString('latin1'))),
  );
  return { store: forge.pki.createCaStore([root]), chain: [leaf, ca] };
});
const forgeRate = await measure('node-forge pki.verifyCertificateChain (pre-parsed)', (i) => {
  const c = fg[i % CHAINS];
  try {
    return forge.pki.verifyCertificateChain(c.store, c.chain, { validityCheckDate: TIME });
  } catch {
    return false;
  }
});

console.log('');
console.log(
  `ratio sw-portal / pkijs:      ${(ours / pkijsRate).toFixed(1)}x  (async API: ${(oursAsync / pkijsRate).toFixed(1)}x, signatures re-verified: ${(oursNoSigCache / pkijsRate).toFixed(1)}x)`,
);
console.log(
  `ratio sw-portal / node-forge: ${(ours / forgeRate).toFixed(1)}x  (async API: ${(oursAsync / forgeRate).toFixed(1)}x, signatures re-verified: ${(oursNoSigCache / forgeRate).toFixed(1)}x)`,
);
console.log(`node ${process.version}, ${CHAINS} distinct 3-level RSA-2048 chains, ${SECONDS} s per engine, one core`);
