// RFC 5280 §6 path validation: build candidate paths from the leaf through supplied and stored intermediates to a trust
// anchor, run the ordered checks on each, and ask the revocation checker about each non-anchor certificate of the first
// path that passes. Returns the first failure of the first path when none does.
import { LEAF_CHECKS, PATH_CHECKS, type Purpose } from './checks.js';
import { OID } from './oids.js';
import { parseCertificate, type Certificate } from './parse.js';
import { readProfile, type LeafProfile } from './profile.js';
import type { ChainReason, Failure } from './reasons.js';
import type { RevocationChecker } from './revocation-types.js';
import {
  CertIndex,
  createTrustStore,
  isCertificate,
  type AnchorSpec,
  type TrustAnchor,
  type TrustStore,
} from './trust-store.js';
import type { CertInput } from './input.js';
import { nameToString } from './names.js';

export interface VerifyChainInput {
  leaf: CertInput | Certificate;
  /** intermediates sent along with the leaf; order does not matter, extras are ignored */
  intermediates?: readonly (CertInput | Certificate)[];
  /** a trust store (anchors + stored intermediates), or a plain list of anchors */
  anchors: TrustStore | readonly (CertInput | Certificate | AnchorSpec)[];
  /** the validation time; checks never read the clock */
  time: Date;
  /** 'signing': leaf keyUsage must assert digitalSignature (MOICA signing certificate); 'any': no leaf key usage rule */
  purpose: Purpose;
  revocation?: RevocationChecker;
  /**
   * Accepted key purposes when the leaf has extendedKeyUsage. Default for 'signing': SIGNING_EKUS (client
   * authentication and the signing purposes citizen cards carry); for 'any': no requirement.
   */
  extendedKeyUsage?: readonly string[];
  /** non-self-issued intermediates allowed (default and upper bound: MAX_INTERMEDIATES) */
  maxIntermediates?: number;
  /** production mode: a path ending at a demo anchor is untrusted */
  refuseDemoAnchors?: boolean;
}

export type VerifyChainResult =
  | { ok: true; path: Certificate[]; anchor: TrustAnchor; leaf: LeafProfile }
  | { ok: false; reason: ChainReason; detail: string };

/** Engine bounds: at most this many intermediates in a path, and this many certificates visited while building. */
export const MAX_INTERMEDIATES = 8;
const MAX_BUILD_STEPS = 512;
const MAX_SUPPLIED_INTERMEDIATES = 32;

/**
 * Key purposes that allow a citizen card to sign a login challenge, when its certificate lists any (RFC 5280 §4.2.1.12):
 * client authentication, S/MIME (emailProtection), document signing (RFC 9336 and Microsoft's), smart-card logon.
 * A certificate restricted to, say, serverAuth or codeSigning is refused with 'eku'.
 */
export const SIGNING_EKUS: readonly string[] = [
  OID.clientAuth,
  OID.emailProtection,
  OID.documentSigning,
  OID.msDocumentSigning,
  OID.msSmartcardLogon,
];

interface Candidate {
  path: Certificate[];
  anchor: TrustAnchor;
}

/** Depth-first path building (RFC 4158 in the small): anchors before intermediates, no certificate or logical CA twice. */
function* buildPaths(
  leaf: Certificate,
  store: TrustStore,
  suppliedIndex: CertIndex<Certificate>,
  refuseDemo: boolean,
  budget: { steps: number },
): Generator<Candidate> {
  // a leaf that is itself a trust anchor (a directly trusted certificate)
  const self = store.anchorByFingerprint(leaf.fingerprint);
  if (self && !(refuseDemo && self.isDemo)) yield { path: [leaf], anchor: self };

  const path: Certificate[] = [leaf];
  const inPath = new Set<string>([leaf.fingerprint]);
  // the same logical CA (subject and key) twice is a cycle even when the certificates differ
  const logical = new Set<string>([leaf.subject.key + leaf.spki.hash]);

  function* extend(): Generator<Candidate> {
    const cur = path[path.length - 1];
    if (--budget.steps < 0) return;
    const anchors = store.anchorsFor(cur);
    const supplied = suppliedIndex.candidates(cur);
    const stored = store.intermediatesFor(cur);
    // key-identifier matches first, anchors before intermediates; mismatching key identifiers only after all of those
    const steps: (TrustAnchor | Certificate)[] = [
      ...anchors.preferred,
      ...supplied.preferred,
      ...stored.preferred,
      ...anchors.others,
      ...supplied.others,
      ...stored.others,
    ];
    for (const step of steps) {
      if (!isCertificate(step)) {
        if (refuseDemo && step.isDemo) continue;
        if (inPath.has(step.cert.fingerprint)) continue;
        yield { path: [...path, step.cert], anchor: step };
        continue;
      }
      const c = step;
      if (path.length > MAX_INTERMEDIATES) continue;
      const lk = c.subject.key + c.spki.hash;
      if (inPath.has(c.fingerprint) || logical.has(lk) || store.anchorByFingerprint(c.fingerprint)) continue;
      path.push(c);
      inPath.add(c.fingerprint);
      logical.add(lk);
      yield* extend();
      path.pop();
      inPath.delete(c.fingerprint);
      logical.delete(lk);
      if (budget.steps < 0) return;
    }
  }
  yield* extend();
}

function runPathChecks(path: Certificate[], time: number, maxIntermediates: number): Failure | null {
  const ctx = { path, time, maxIntermediates };
  for (const check of PATH_CHECKS) {
    const f = check(ctx);
    if (f) return f;
  }
  return null;
}

interface Prepared {
  leaf: Certificate;
  store: TrustStore;
  supplied: CertIndex<Certificate>;
  time: number;
  maxIntermediates: number;
  refuseDemo: boolean;
}

function prepare(
  input: VerifyChainInput,
): { ok: true; p: Prepared } | { ok: false; reason: ChainReason; detail: string } {
  const time = input.time instanceof Date ? input.time.getTime() : NaN;
  if (!Number.isFinite(time)) return { ok: false, reason: 'malformed', detail: 'no valid validation time' };
  let leaf: Certificate;
  if (isCertificate(input.leaf)) leaf = input.leaf;
  else {
    const r = parseCertificate(input.leaf);
    if (!r.ok) return { ok: false, reason: 'malformed', detail: `leaf: ${r.detail}` };
    leaf = r.cert;
  }
  const eku = input.extendedKeyUsage ?? (input.purpose === 'signing' ? SIGNING_EKUS : []);
  for (const check of LEAF_CHECKS) {
    const f = check({ leaf, time, purpose: input.purpose, extendedKeyUsage: eku });
    if (f) return { ok: false, ...f };
  }
  let store: TrustStore;
  if (Array.isArray(input.anchors)) {
    try {
      store = createTrustStore({ anchors: input.anchors as readonly (CertInput | Certificate | AnchorSpec)[] });
    } catch (e) {
      return { ok: false, reason: 'malformed', detail: `anchors: ${(e as Error).message}` };
    }
  } else store = input.anchors as TrustStore;
  // Supplied intermediates that do not parse are ignored, as a TLS client ignores junk in a chain: they cannot help build
  // a path, and refusing would let one stray certificate hide a good path.
  const supplied = new CertIndex<Certificate>((c) => c);
  for (const x of (input.intermediates ?? []).slice(0, MAX_SUPPLIED_INTERMEDIATES)) {
    if (isCertificate(x)) supplied.add(x);
    else {
      const r = parseCertificate(x);
      if (r.ok) supplied.add(r.cert);
    }
  }
  const maxIntermediates = Math.min(input.maxIntermediates ?? MAX_INTERMEDIATES, MAX_INTERMEDIATES);
  return {
    ok: true,
    p: { leaf, store, supplied, time, maxIntermediates, refuseDemo: input.refuseDemoAnchors ?? false },
  };
}

function* validPaths(p: Prepared, firstFailure: { f: Failure | null; any: boolean }): Generator<Candidate> {
  const budget = { steps: MAX_BUILD_STEPS };
  for (const cand of buildPaths(p.leaf, p.store, p.supplied, p.refuseDemo, budget)) {
    firstFailure.any = true;
    const f = runPathChecks(cand.path, p.time, p.maxIntermediates);
    if (!f) yield cand;
    else if (!firstFailure.f) firstFailure.f = f;
  }
}

function noPath(
  p: Prepared,
  seen: { f: Failure | null; any: boolean },
): { ok: false; reason: ChainReason; detail: string } {
  if (seen.f) return { ok: false, ...seen.f };
  return {
    ok: false,
    reason: 'untrusted',
    detail: `no path from ${nameToString(p.leaf.subject) || 'leaf'} (issuer ${nameToString(p.leaf.issuer)}) to a trust anchor`,
  };
}

/** Path validation without revocation (synchronous). */
export function verifyPath(input: Omit<VerifyChainInput, 'revocation'>): VerifyChainResult {
  const prep = prepare(input);
  if (!prep.ok) return prep;
  const seen = { f: null as Failure | null, any: false };
  for (const cand of validPaths(prep.p, seen))
    return { ok: true, path: cand.path, anchor: cand.anchor, leaf: readProfile(prep.p.leaf) };
  return noPath(prep.p, seen);
}

/**
 * Path validation and, when a checker is given, revocation of each non-anchor certificate of the path (leaf first).
 * A revocation failure above the leaf sends us on to the next valid path (a revoked cross-certificate must not hide a
 * direct path); the leaf's own revocation ends it.
 */
export async function verifyChain(input: VerifyChainInput): Promise<VerifyChainResult> {
  const prep = prepare(input);
  if (!prep.ok) return prep;
  const seen = { f: null as Failure | null, any: false };
  let revocationFailure: Failure | null = null;
  for (const cand of validPaths(prep.p, seen)) {
    if (!input.revocation) return { ok: true, path: cand.path, anchor: cand.anchor, leaf: readProfile(prep.p.leaf) };
    const f = await checkRevocation(input.revocation, cand.path, new Date(prep.p.time));
    if (!f) return { ok: true, path: cand.path, anchor: cand.anchor, leaf: readProfile(prep.p.leaf) };
    if (f.atLeaf) return { ok: false, reason: f.reason, detail: f.detail };
    revocationFailure ??= f;
  }
  if (revocationFailure) return { ok: false, reason: revocationFailure.reason, detail: revocationFailure.detail };
  return noPath(prep.p, seen);
}

/** RFC 5280 §6.1.3(a)(3): the certificate was not revoked at the time; asked of each non-anchor certificate. */
async function checkRevocation(
  checker: RevocationChecker,
  path: Certificate[],
  now: Date,
): Promise<(Failure & { atLeaf: boolean }) | null> {
  for (let i = 0; i + 1 < path.length; i++) {
    let result;
    try {
      result = await checker.check({ certDer: path[i].der, issuerDer: path[i + 1].der }, now);
    } catch (e) {
      result = {
        ok: false as const,
        reason: 'revocation_unavailable' as const,
        detail: `checker threw: ${(e as Error)?.message ?? e}`,
      };
    }
    if (!result.ok) {
      const label = i === 0 ? 'leaf' : `intermediate ${i}`;
      return {
        reason: result.reason,
        detail: `${label} (serial ${path[i].serialHex}): ${result.detail ?? result.reason}`,
        atLeaf: i === 0,
      };
    }
  }
  return null;
}
