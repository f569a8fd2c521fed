// Trust anchors and stored intermediates: the real Taiwan GPKI certificates shipped in trust/gpki/, PEM files from the
// directory named by TRUST_DIR, and extra anchors handed in by the demo PKI (tagged isDemo so production can refuse them).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pemBlocks, type CertInput } from './input.js';
import { parseCertificate, type Certificate } from './parse.js';

export interface TrustAnchor {
  cert: Certificate;
  /** made by the demo PKI: refused in production mode */
  isDemo: boolean;
  /** where it came from, for logs (file name or 'demo') */
  source: string;
  /**
   * a root named by configuration (TRUST_DIR, or the demo PKI's stand-in for it) rather than shipped with the portal:
   * a CA without a public root, such as the customs-only certificate's, is trusted this way (organisation.ts)
   */
  configured: boolean;
}

export interface TrustStore {
  readonly anchors: readonly TrustAnchor[];
  readonly intermediates: readonly Certificate[];
  /** anchors that may have issued `cert`: by key identifier or name (preferred), or by name with a differing key identifier */
  anchorsFor(cert: Certificate): { preferred: TrustAnchor[]; others: TrustAnchor[] };
  /** stored intermediates that may have issued `cert` (same matching as anchorsFor) */
  intermediatesFor(cert: Certificate): { preferred: Certificate[]; others: Certificate[] };
  /** the anchor with this SHA-256 fingerprint, if the certificate itself is trusted */
  anchorByFingerprint(fingerprint: string): TrustAnchor | undefined;
}

export interface AnchorSpec {
  cert: CertInput | Certificate;
  isDemo?: boolean;
  source?: string;
  configured?: boolean;
}

export interface TrustStoreOptions {
  anchors?: readonly (AnchorSpec | CertInput | Certificate)[];
  intermediates?: readonly (CertInput | Certificate)[];
  /** production mode: demo anchors are left out, never trusted */
  production?: boolean;
}

export class TrustStoreError extends Error {}

export function isCertificate(x: unknown): x is Certificate {
  return typeof x === 'object' && x !== null && 'tbs' in x && 'fingerprint' in x && 'signatureCache' in x;
}

export function toCertificate(x: CertInput | Certificate, what: string): Certificate {
  if (isCertificate(x)) return x;
  const r = parseCertificate(x);
  if (!r.ok) throw new TrustStoreError(`${what}: ${r.detail}`);
  return r.cert;
}

/** Index by issuer name key and by key identifier, so candidate issuers are a map look-up, not a scan. */
export class CertIndex<T> {
  private readonly bySubject = new Map<string, T[]>();
  private readonly byKeyId = new Map<string, T[]>();
  constructor(private readonly certOf: (t: T) => Certificate) {}

  add(item: T): void {
    const c = this.certOf(item);
    push(this.bySubject, c.subject.key, item);
    if (c.ext.subjectKeyId) push(this.byKeyId, c.ext.subjectKeyId.toString('hex'), item);
  }

  /**
   * Issuers by name (RFC 5280 §6.1.3(a)(4)) or by key identifier (§4.2.1.1, so a name mismatch still gets its own
   * reason). Candidates whose subjectKeyIdentifier equals the authorityKeyIdentifier come first and ones whose differs
   * come last: that is how the real GRCA G1 and G2, which share a DN, are told apart without trusting the hint blindly.
   */
  candidates(cert: Certificate): { preferred: T[]; others: T[] } {
    const aki = cert.ext.authorityKeyId?.keyId?.toString('hex');
    const preferred: T[] = [];
    const others: T[] = [];
    if (aki) for (const item of this.byKeyId.get(aki) ?? []) preferred.push(item);
    for (const item of this.bySubject.get(cert.issuer.key) ?? []) {
      if (preferred.includes(item)) continue;
      const ski = this.certOf(item).ext.subjectKeyId?.toString('hex');
      if (aki && ski && aki !== ski) others.push(item);
      else preferred.push(item);
    }
    return { preferred, others };
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function createTrustStore(opts: TrustStoreOptions): TrustStore {
  const anchors: TrustAnchor[] = [];
  const seen = new Set<string>();
  for (const [n, spec] of (opts.anchors ?? []).entries()) {
    const s: AnchorSpec =
      typeof spec === 'object' && spec !== null && 'cert' in spec && !isCertificate(spec)
        ? (spec as AnchorSpec)
        : { cert: spec as CertInput };
    const cert = toCertificate(s.cert, s.source ?? `anchor ${n}`);
    const isDemo = s.isDemo ?? false;
    if (isDemo && opts.production) continue;
    if (seen.has(cert.fingerprint)) continue;
    seen.add(cert.fingerprint);
    anchors.push({ cert, isDemo, source: s.source ?? `anchor ${n}`, configured: s.configured ?? false });
  }
  const intermediates: Certificate[] = [];
  for (const [n, x] of (opts.intermediates ?? []).entries()) {
    const cert = toCertificate(x, `intermediate ${n}`);
    if (seen.has(cert.fingerprint)) continue;
    seen.add(cert.fingerprint);
    intermediates.push(cert);
  }
  const byFingerprint = new Map(anchors.map((a) => [a.cert.fingerprint, a] as const));
  const anchorIndex = new CertIndex<TrustAnchor>((a) => a.cert);
  anchors.forEach((a) => anchorIndex.add(a));
  const intermediateIndex = new CertIndex<Certificate>((c) => c);
  intermediates.forEach((c) => intermediateIndex.add(c));
  return {
    anchors,
    intermediates,
    anchorsFor: (cert) => anchorIndex.candidates(cert),
    anchorByFingerprint: (fp) => byFingerprint.get(fp),
    intermediatesFor: (cert) => intermediateIndex.candidates(cert),
  };
}

/**
 * A root: self-issued and naming no other key (no authorityKeyIdentifier, or one equal to its own subjectKeyIdentifier).
 * Told by names and key identifiers, not by the self-signature, whose algorithm may be legacy (GRCA G1 is SHA-1 signed)
 * and does not matter: an anchor is trusted by configuration, not by its signature. A cross certificate such as the
 * GRCA G2-by-G1 one is self-issued but names another key, so it is an intermediate.
 */
export function isRoot(cert: Certificate): boolean {
  if (!cert.selfIssued) return false;
  const aki = cert.ext.authorityKeyId?.keyId;
  const ski = cert.ext.subjectKeyId;
  return !aki || !ski || aki.equals(ski);
}

/** Every certificate in the PEM texts, split into roots (anchors) and the rest (intermediates). */
export function classifyPems(
  pems: readonly string[],
  source: string,
): { anchors: AnchorSpec[]; intermediates: Certificate[] } {
  const anchors: AnchorSpec[] = [];
  const intermediates: Certificate[] = [];
  for (const text of pems) {
    for (const block of pemBlocks(text)) {
      const cert = toCertificate(block, source);
      if (isRoot(cert)) anchors.push({ cert, source, isDemo: false });
      else intermediates.push(cert);
    }
  }
  return { anchors, intermediates };
}

const TRUST_FILE = /\.(pem|crt|cer)$/i;

/** Reads every PEM file of a directory (not recursive). A file that does not parse stops the start: trust is configuration. */
export function loadTrustDir(dir: string): { anchors: AnchorSpec[]; intermediates: Certificate[] } {
  const anchors: AnchorSpec[] = [];
  const intermediates: Certificate[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name);
    if (!TRUST_FILE.test(name) || !statSync(file).isFile()) continue;
    const text = readFileSync(file, 'utf8');
    if (pemBlocks(text).length === 0) throw new TrustStoreError(`${name}: no PEM certificate`);
    const got = classifyPems([text], name);
    anchors.push(...got.anchors);
    intermediates.push(...got.intermediates);
  }
  return { anchors, intermediates };
}

/** The repository's copy of the real Taiwan GPKI certificates (trust/gpki/, provenance in its README.md). */
export const GPKI_DIR = fileURLToPath(new URL('../../trust/gpki/', import.meta.url));

export interface PortalTrustOptions {
  /** TRUST_DIR: PEM anchors and intermediates an operator adds without code */
  trustDir?: string;
  /** include trust/gpki/ (default true) */
  includeGpki?: boolean;
  /** the demo PKI's anchors (PEM or DER); tagged isDemo */
  demoAnchors?: readonly (CertInput | Certificate)[];
  /** the demo PKI's intermediates */
  demoIntermediates?: readonly (CertInput | Certificate)[];
  /**
   * demo mode: a folder read like TRUST_DIR (configured roots), tagged isDemo: the demo customs-only CA, which has no
   * public root, is trusted the way a real one is (through TRUST_DIR)
   */
  demoTrustDir?: string;
  production: boolean;
}

/** The portal's store: GPKI + TRUST_DIR + (demo mode only) the demo PKI. */
export function buildPortalTrustStore(opts: PortalTrustOptions): TrustStore {
  const anchors: AnchorSpec[] = [];
  const intermediates: (CertInput | Certificate)[] = [];
  if (opts.includeGpki ?? true) {
    const g = loadTrustDir(GPKI_DIR);
    anchors.push(...g.anchors.map((a) => ({ ...a, source: `gpki/${a.source}` })));
    intermediates.push(...g.intermediates);
  }
  if (opts.trustDir) {
    const t = loadTrustDir(opts.trustDir);
    anchors.push(...t.anchors.map((a) => ({ ...a, source: `TRUST_DIR/${a.source}`, configured: true })));
    intermediates.push(...t.intermediates);
  }
  if (opts.demoTrustDir && !opts.production) {
    const t = loadTrustDir(opts.demoTrustDir);
    anchors.push(...t.anchors.map((a) => ({ ...a, source: `demo/${a.source}`, configured: true, isDemo: true })));
    intermediates.push(...t.intermediates);
  }
  for (const d of opts.demoAnchors ?? []) anchors.push({ cert: d, isDemo: true, source: 'demo' });
  if (!opts.production) intermediates.push(...(opts.demoIntermediates ?? []));
  return createTrustStore({ anchors, intermediates, production: opts.production });
}
