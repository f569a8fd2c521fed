// Trust store: the real GPKI certificates, TRUST_DIR, and demo anchors that production refuses.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { nameToString } from '../../server/pki/names.js';
import { buildPortalTrustStore, createTrustStore, loadTrustDir } from '../../server/pki/trust-store.js';
import { verifyChain, verifyPath } from '../../server/pki/verify-chain.js';
import { readFileSync } from 'node:fs';
import { NOW, moicaChain } from './fixtures/forge-certs.js';

const gpki = (f: string) => readFileSync(new URL(`../../trust/gpki/${f}.pem`, import.meta.url), 'utf8');
const { root, ca, card } = moicaChain();

t.test('the GPKI store trusts the three GRCA roots and stores the rest as intermediates', async (t) => {
  const store = buildPortalTrustStore({ production: true });
  t.same(store.anchors.map((a) => a.source).sort(), [
    'gpki/grca-g1-root.pem',
    'gpki/grca-g2-root.pem',
    'gpki/grca-g3-root.pem',
  ]);
  t.equal(store.intermediates.length, 5);
  t.ok(store.anchors.every((a) => !a.isDemo));
});

t.test('MOICA G2 chains to the GRCA G2 root although GRCA G1 has the same name', async (t) => {
  // moica-g2 is a CA, so validate it as a target with purpose 'any'
  const r = verifyPath({
    leaf: gpki('moica-g2'),
    anchors: buildPortalTrustStore({ production: true }),
    time: NOW,
    purpose: 'any',
  });
  t.ok(r.ok, r.ok ? '' : r.detail);
  if (r.ok) {
    t.equal(r.path.length, 2);
    t.equal(r.anchor.source, 'gpki/grca-g2-root.pem');
  }
});

t.test('MOICA G2 through the SHA-1 cross certificate to GRCA G1 alone is refused as a weak algorithm', async (t) => {
  const r = verifyPath({
    leaf: gpki('moica-g2'),
    intermediates: [gpki('grca-g2-cross-by-g1')],
    anchors: [gpki('grca-g1-root')],
    time: NOW,
    purpose: 'any',
  });
  t.equal(r.ok ? 'ok' : r.reason, 'weak_algorithm');
});

t.test('MOICA G3 chains to GRCA G3, and MOICA G1 is expired (and SHA-1) today', async (t) => {
  const store = buildPortalTrustStore({ production: true });
  const g3 = verifyPath({ leaf: gpki('moica-g3'), anchors: store, time: NOW, purpose: 'any' });
  t.ok(g3.ok && nameToString(g3.path[1].subject).includes('G3'));
  const g1 = verifyPath({ leaf: gpki('moica-g1'), anchors: store, time: NOW, purpose: 'any' });
  t.equal(g1.ok ? 'ok' : g1.reason, 'expired');
});

t.test('a demo anchor is trusted in demo mode and left out in production', async (t) => {
  const demo = buildPortalTrustStore({
    production: false,
    includeGpki: false,
    demoAnchors: [root.pem],
    demoIntermediates: [ca.der],
  });
  t.equal(demo.anchors[0].isDemo, true);
  t.ok((await verifyChain({ leaf: card.der, anchors: demo, time: NOW, purpose: 'signing' })).ok);
  const prod = buildPortalTrustStore({
    production: true,
    includeGpki: false,
    demoAnchors: [root.pem],
    demoIntermediates: [ca.der],
  });
  t.equal(prod.anchors.length, 0);
  const r = await verifyChain({
    leaf: card.der,
    intermediates: [ca.der],
    anchors: prod,
    time: NOW,
    purpose: 'signing',
  });
  t.equal(r.ok ? 'ok' : r.reason, 'untrusted');
});

t.test('refuseDemoAnchors makes a path ending at a demo anchor untrusted', async (t) => {
  const store = createTrustStore({
    anchors: [{ cert: root.pem, isDemo: true, source: 'demo' }],
    intermediates: [ca.der],
  });
  t.ok((await verifyChain({ leaf: card.der, anchors: store, time: NOW, purpose: 'signing' })).ok);
  const r = await verifyChain({
    leaf: card.der,
    anchors: store,
    time: NOW,
    purpose: 'signing',
    refuseDemoAnchors: true,
  });
  t.equal(r.ok ? 'ok' : r.reason, 'untrusted');
});

t.test('a TRUST_DIR of PEM files adds roots as anchors and the rest as intermediates', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trust-dir-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'root.pem'), root.pem);
  writeFileSync(join(dir, 'ca.crt'), ca.pem);
  writeFileSync(join(dir, 'notes.txt'), 'ignored');
  const loaded = loadTrustDir(dir);
  t.equal(loaded.anchors.length, 1);
  t.equal(loaded.intermediates.length, 1);
  const store = buildPortalTrustStore({ production: true, trustDir: dir });
  t.ok(store.anchors.some((a) => a.source === 'TRUST_DIR/root.pem'));
  t.ok((await verifyChain({ leaf: card.der, anchors: store, time: NOW, purpose: 'signing' })).ok);
});

t.test('a TRUST_DIR file that is not a certificate stops the start with its name', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trust-dir-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'broken.pem'), 'hello');
  t.throws(() => loadTrustDir(dir), /broken\.pem/);
});
