// One test per chain reason, each with a certificate made for it (node-forge producer; openssl.test.ts has the other).
import t from 'tap';
import { CHAIN_REASONS, type ChainReason } from '../../server/pki/reasons.js';
import type { RevocationChecker, RevocationResult } from '../../server/pki/revocation-types.js';
import { verifyChain, type VerifyChainResult } from '../../server/pki/verify-chain.js';
import {
  AFTER,
  MOICA_ISSUER,
  NOW,
  cn,
  ext,
  gn,
  keyId,
  makeCard,
  makeCert,
  makeIntermediate,
  makeRoot,
  moicaChain,
  rsaKey,
  type Issued,
} from './fixtures/forge-certs.js';

const { root, ca, card, encryption } = moicaChain();

function verify(
  leaf: Issued,
  opts: {
    intermediates?: Issued[];
    anchors?: Issued[];
    time?: Date;
    purpose?: 'signing' | 'any';
    revocation?: RevocationChecker;
    maxIntermediates?: number;
  } = {},
) {
  return verifyChain({
    leaf: leaf.der,
    intermediates: (opts.intermediates ?? [ca]).map((c) => c.der),
    anchors: (opts.anchors ?? [root]).map((c) => c.pem),
    time: opts.time ?? NOW,
    purpose: opts.purpose ?? 'signing',
    revocation: opts.revocation,
    maxIntermediates: opts.maxIntermediates,
  });
}

const answering = (result: RevocationResult): RevocationChecker => ({ check: async () => result });

/** Every reason of the closed list, with the sentence it is tested under and a chain made to produce it. */
const cases: Record<ChainReason, [string, () => Promise<VerifyChainResult>]> = {
  malformed: [
    'a leaf that is not DER is malformed',
    () => verifyChain({ leaf: Buffer.from('3003020101', 'hex'), anchors: [root.pem], time: NOW, purpose: 'signing' }),
  ],
  expired: [
    'a card past its notAfter at the validation time is expired',
    async () => verify(card, { time: new Date(AFTER.getTime() + 1000) }),
  ],
  not_yet_valid: [
    'a card before its notBefore at the validation time is not yet valid',
    async () => verify(makeCard(ca, { notBefore: new Date('2026-06-01T00:00:00Z') })),
  ],
  untrusted: [
    'a card whose root is not a trust anchor is untrusted',
    async () => verify(card, { anchors: [makeRoot('Another Root', { key: rsaKey(2048, 4) })] }),
  ],
  name_chaining: [
    'a card whose issuer name is not its CA subject fails name chaining',
    async () => verify(makeCard(ca, { issuer: { subject: cn('Somebody Else'), key: ca.key } })),
  ],
  bad_signature: [
    'a card with a damaged signature has a bad signature',
    async () => {
      const der = Buffer.from(card.der);
      der[der.length - 5] ^= 0x01;
      return verify({ ...card, der });
    },
  ],
  weak_algorithm: [
    'a card signed with SHA-1 uses a weak algorithm',
    async () => verify(makeCard(ca, { hash: 'sha1' })),
  ],
  weak_key: ['a card with a 1024-bit RSA key has a weak key', async () => verify(makeCard(ca, { key: rsaKey(1024) }))],
  not_ca: [
    'an intermediate without cA=TRUE is not a CA',
    async () => {
      const notCa = makeIntermediate(root, '', {
        subject: MOICA_ISSUER,
        extensions: [
          ext.basicConstraints(false),
          ext.subjectKeyId(keyId(rsaKey(2048, 2))),
          ext.authorityKeyId(keyId(root.key)),
        ],
      });
      return verify(card, { intermediates: [notCa] });
    },
  ],
  path_length: [
    'a second intermediate under a pathLenConstraint of 0 exceeds the path length',
    async () => {
      const mid = makeIntermediate(root, 'Mid CA', { pathLen: 0, key: rsaKey(2048, 5) });
      const low = makeIntermediate(mid, '', { subject: MOICA_ISSUER, pathLen: 0 });
      return verify(makeCard(low), { intermediates: [mid, low] });
    },
  ],
  path_too_long: [
    'more intermediates than the caller allows is a path too long',
    async () => verify(card, { maxIntermediates: 0 }),
  ],
  ca_key_usage: [
    'an intermediate whose keyUsage lacks keyCertSign fails CA key usage',
    async () => {
      const k = rsaKey(2048, 2);
      const bad = makeIntermediate(root, '', {
        subject: MOICA_ISSUER,
        extensions: [
          ext.basicConstraints(true, 0),
          ext.keyUsage([6]),
          ext.subjectKeyId(keyId(k)),
          ext.authorityKeyId(keyId(root.key)),
        ],
      });
      return verify(card, { intermediates: [bad] });
    },
  ],
  leaf_key_usage: ["a card's encryption certificate cannot be used for signing", async () => verify(encryption)],
  leaf_is_ca: [
    'a CA certificate cannot be the signing leaf',
    async () => verify(makeCard(ca, { extra: [ext.basicConstraints(true)] })),
  ],
  eku: [
    'a card whose extendedKeyUsage is only serverAuth fails the EKU check for signing',
    async () => verify(makeCard(ca, { extra: [ext.extKeyUsage(['1.3.6.1.5.5.7.3.1'])] })),
  ],
  unknown_critical_extension: [
    'a card with an unknown critical extension is refused',
    async () => verify(makeCard(ca, { extra: [ext.raw('1.3.6.1.4.1.99999.1', Buffer.from('0500', 'hex'), true)] })),
  ],
  name_constraints: [
    'a card outside the directoryName subtree its CA permits breaks name constraints',
    async () => {
      const k = rsaKey(2048, 2);
      const constrained = makeIntermediate(root, '', {
        subject: MOICA_ISSUER,
        extra: [ext.nameConstraints([gn.dn([{ type: '2.5.4.6', value: 'JP' }])], null)],
        key: k,
      });
      return verify(makeCard(constrained), { intermediates: [constrained] });
    },
  ],
  profile_violation: [
    'a card with serial number zero breaks the RFC 5280 profile',
    async () => verify(makeCard(ca, { serial: '00' })),
  ],
  revoked: [
    'a card the revocation checker reports revoked is revoked',
    async () => verify(card, { revocation: answering({ ok: false, reason: 'revoked' }) }),
  ],
  revocation_unknown: [
    'a card the OCSP responder does not know is refused as unknown',
    async () => verify(card, { revocation: answering({ ok: false, reason: 'revocation_unknown' }) }),
  ],
  revocation_unavailable: [
    'a card whose revocation status cannot be had is refused (fail-closed)',
    async () => verify(card, { revocation: { check: async () => Promise.reject(new Error('network down')) } }),
  ],
};

t.test('the reason list is closed and each reason has its own test', async (t) => {
  t.same(Object.keys(cases).sort(), [...CHAIN_REASONS].sort());
});

for (const reason of CHAIN_REASONS) {
  const [sentence, run] = cases[reason];
  t.test(sentence, async (t) => {
    const r = await run();
    t.equal(r.ok, false);
    if (!r.ok) {
      t.equal(r.reason, reason, r.detail);
      t.type(r.detail, 'string');
    }
  });
}

t.test('a valid MOICA-like signing card chains to its root', async (t) => {
  const r = await verify(card);
  t.ok(r.ok);
  if (r.ok) {
    t.equal(r.path.length, 3);
    t.equal(r.leaf.commonName, '王小明');
    t.equal(r.leaf.idLast4, '6789');
    t.equal(r.leaf.use, 'signing');
    t.equal(r.leaf.moicaIssuer, true);
  }
});

t.test('a card valid at the validation time passes even when the real clock says otherwise', async (t) => {
  t.ok(
    (await verify(card, { time: new Date('2025-01-01T00:00:00Z') })).ok,
    'notBefore itself is inside the validity period',
  );
  t.equal(
    ((await verify(card, { time: new Date('2024-12-31T23:59:59Z') })) as { reason: string }).reason,
    'not_yet_valid',
  );
});

t.test('a card inside a permitted directoryName subtree passes name constraints', async (t) => {
  const constrained = makeIntermediate(root, '', {
    subject: MOICA_ISSUER,
    extra: [ext.nameConstraints([gn.dn([{ type: '2.5.4.6', value: 'TW', tag: 19 }])], null)],
  });
  t.ok((await verify(makeCard(constrained), { intermediates: [constrained] })).ok);
});

t.test('revocation is asked about every certificate below the anchor with its issuer', async (t) => {
  const asked: string[] = [];
  const r = await verify(card, {
    revocation: {
      check: async (s) => {
        asked.push(
          `${s.certDer.equals(card.der) ? 'card' : s.certDer.equals(ca.der) ? 'ca' : '?'}<-${s.issuerDer.equals(ca.der) ? 'ca' : s.issuerDer.equals(root.der) ? 'root' : '?'}`,
        );
        return { ok: true, source: 'crl' };
      },
    },
  });
  t.ok(r.ok);
  t.same(asked, ['card<-ca', 'ca<-root']);
});

t.test('a card whose extendedKeyUsage lists clientAuth or emailProtection may sign', async (t) => {
  for (const purpose of ['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4', '2.5.29.37.0']) {
    const r = await verify(makeCard(ca, { extra: [ext.extKeyUsage([purpose])] }));
    t.ok(r.ok, purpose);
  }
});

t.test('the purpose "any" accepts an encryption certificate', async (t) => {
  t.ok((await verify(encryption, { purpose: 'any' })).ok);
});

t.test('intermediates in any order, with strangers among them, still build the path', async (t) => {
  const stranger = makeRoot('Stranger', { key: rsaKey(2048, 4) });
  t.ok((await verify(card, { intermediates: [stranger, root, ca] })).ok);
});

t.test('an intermediate that is expired on one path does not hide a valid second path', async (t) => {
  const k = rsaKey(2048, 2);
  const old = makeIntermediate(root, '', {
    subject: MOICA_ISSUER,
    key: k,
    serial: '10',
    notAfter: new Date('2026-01-01T00:00:00Z'),
  });
  const renewed = makeIntermediate(root, '', { subject: MOICA_ISSUER, key: k, serial: '11' });
  t.ok((await verify(card, { intermediates: [old, renewed] })).ok);
});

t.test('two CAs that certify each other are a cycle that ends as untrusted', async (t) => {
  const ka = rsaKey(2048, 5);
  const kb = rsaKey(2048, 6);
  const a = makeCert({
    subject: cn('Cycle A'),
    key: ka,
    issuer: { subject: cn('Cycle B'), key: kb },
    extensions: [
      ext.basicConstraints(true),
      ext.keyUsage([5]),
      ext.subjectKeyId(keyId(ka)),
      ext.authorityKeyId(keyId(kb)),
    ],
  });
  const b = makeCert({
    subject: cn('Cycle B'),
    key: kb,
    issuer: { subject: cn('Cycle A'), key: ka },
    extensions: [
      ext.basicConstraints(true),
      ext.keyUsage([5]),
      ext.subjectKeyId(keyId(kb)),
      ext.authorityKeyId(keyId(ka)),
    ],
  });
  const leaf = makeCard(a);
  const r = await verify(leaf, { intermediates: [a, b] });
  t.equal(r.ok ? 'ok' : r.reason, 'untrusted');
});

t.test('a revoked cross-certificate does not hide a direct path', async (t) => {
  // ca is reachable from root directly (anchor) and through a cross CA; the cross-signed copy is revoked
  const crossKey = rsaKey(2048, 5);
  const otherRoot = makeRoot('Other Root', { key: crossKey });
  const caByOther = makeIntermediate(otherRoot, '', { subject: MOICA_ISSUER, key: rsaKey(2048, 2), serial: '77' });
  const r = await verify(card, {
    intermediates: [caByOther, ca],
    anchors: [otherRoot, root],
    revocation: {
      check: async (s) =>
        s.certDer.equals(caByOther.der) ? { ok: false, reason: 'revoked' } : { ok: true, source: 'crl' },
    },
  });
  t.ok(r.ok);
  if (r.ok) t.ok(r.path[1].der.equals(ca.der));
});
