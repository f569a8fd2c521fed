// One small function per RFC 5280 rule. Each takes what it needs (the time is passed in, never read here) and returns
// the first Failure it finds or null. verify-chain.ts runs them in order.
import { keyWeakness, signatureScheme, verifySigned } from './algorithms.js';
import { KU } from './extensions.js';
import { addConstraints, checkSubjectNames, emptyState } from './name-constraints.js';
import { isEmptyName, nameEquals, nameToString } from './names.js';
import { OID } from './oids.js';
import type { Certificate } from './parse.js';
import type { Failure } from './reasons.js';

export type Purpose = 'signing' | 'any';

export interface LeafContext {
  leaf: Certificate;
  time: number;
  purpose: Purpose;
  /** accepted key purposes when the leaf has extendedKeyUsage; empty means no requirement */
  extendedKeyUsage: readonly string[];
}

export interface PathContext {
  /** leaf first, trust anchor last */
  path: Certificate[];
  time: number;
  /** non-self-issued intermediates allowed between leaf and anchor */
  maxIntermediates: number;
}

export type LeafCheck = (ctx: LeafContext) => Failure | null;
export type PathCheck = (ctx: PathContext) => Failure | null;

const has = (mask: number | undefined, bit: number) => mask !== undefined && (mask & (1 << bit)) !== 0;

function who(path: Certificate[], i: number): string {
  const role = i === 0 ? 'leaf' : i === path.length - 1 ? 'anchor' : `intermediate ${i}`;
  return `${role} (${nameToString(path[i].subject) || 'empty subject'})`;
}

/** RFC 5280 §4.1.2.5 / §6.1.3(a)(2): the time is within [notBefore, notAfter], both inclusive. */
export function checkValidityOf(cert: Certificate, time: number, label: () => string): Failure | null {
  if (time < cert.notBefore)
    return { reason: 'not_yet_valid', detail: `${label()}: valid from ${new Date(cert.notBefore).toISOString()}` };
  if (time > cert.notAfter)
    return { reason: 'expired', detail: `${label()}: expired ${new Date(cert.notAfter).toISOString()}` };
  return null;
}

// ---- leaf checks (before any path is built, so an expired or wrong-purpose card gets its own reason) ----

/** RFC 5280 §6.1.3(a)(2) for the leaf. */
export const checkLeafValidity: LeafCheck = ({ leaf, time }) => checkValidityOf(leaf, time, () => 'leaf');

/**
 * A signing leaf that is a CA (basicConstraints cA=TRUE, RFC 5280 §4.2.1.9) is not an end entity: a CA key must not
 * sign login challenges. RFC 5280 path validation itself allows a CA certificate as the target, so 'any' does too.
 */
export const checkLeafNotCa: LeafCheck = ({ leaf, purpose }) =>
  purpose === 'signing' && leaf.ext.basicConstraints?.ca
    ? { reason: 'leaf_is_ca', detail: 'leaf has basicConstraints cA=TRUE' }
    : null;

/**
 * RFC 5280 §4.2.1.3: signing needs digitalSignature. MOICA cards hold two certificates; the encryption one
 * (keyEncipherment|dataEncipherment) must not log anybody in.
 */
export const checkLeafKeyUsage: LeafCheck = ({ leaf, purpose }) => {
  if (purpose !== 'signing') return null;
  if (leaf.ext.keyUsage === undefined) return { reason: 'leaf_key_usage', detail: 'leaf has no keyUsage' };
  if (!has(leaf.ext.keyUsage, KU.digitalSignature))
    return { reason: 'leaf_key_usage', detail: 'leaf keyUsage lacks digitalSignature' };
  return null;
};

/** RFC 5280 §4.2.1.12: when extendedKeyUsage is present, the purpose (or anyExtendedKeyUsage) must be listed. */
export const checkLeafEku: LeafCheck = ({ leaf, extendedKeyUsage }) => {
  const eku = leaf.ext.extKeyUsage;
  if (!eku || extendedKeyUsage.length === 0) return null;
  if (eku.includes(OID.anyExtendedKeyUsage) || extendedKeyUsage.some((p) => eku.includes(p))) return null;
  return { reason: 'eku', detail: `leaf extendedKeyUsage ${eku.join(',')} has none of ${extendedKeyUsage.join(',')}` };
};

// ---- path checks (leaf first, anchor last) ----

/** Engine bound and caller's limit on intermediates; self-issued certificates (key rollover) do not count (RFC 5280 §6.1.4(l)). */
export const checkPathDepth: PathCheck = ({ path, maxIntermediates }) => {
  const logical = path.slice(1, -1).filter((c) => !c.selfIssued).length;
  if (logical > maxIntermediates)
    return { reason: 'path_too_long', detail: `${logical} intermediates, at most ${maxIntermediates}` };
  return null;
};

/** RFC 5280 §6.1.3(a)(2): every certificate, the anchor's too, is valid at the time. */
export const checkValidity: PathCheck = ({ path, time }) => {
  for (let i = 0; i < path.length; i++) {
    const f = checkValidityOf(path[i], time, () => who(path, i));
    if (f) return f;
  }
  return null;
};

/** RFC 5280 §6.1.3(a)(4): each certificate's issuer name is the subject name of the next one. */
export const checkNameChaining: PathCheck = ({ path }) => {
  for (let i = 0; i + 1 < path.length; i++) {
    if (!nameEquals(path[i].issuer, path[i + 1].subject)) {
      return {
        reason: 'name_chaining',
        detail: `${who(path, i)}: issuer ${nameToString(path[i].issuer)} is not ${nameToString(path[i + 1].subject)}`,
      };
    }
  }
  return null;
};

/** Algorithm allow-list (algorithms.ts) for every signature the path relies on; the anchor's self-signature is not relied on. */
export const checkAlgorithms: PathCheck = ({ path }) => {
  for (let i = 0; i + 1 < path.length; i++) {
    const s = signatureScheme(path[i].signatureAlgorithm);
    if (!s.ok) return { reason: 'weak_algorithm', detail: `${who(path, i)}: ${s.detail}` };
  }
  return null;
};

/** Key allow-list for every key in the path: issuers' keys verify signatures, the leaf's key signs the challenge. */
export const checkKeys: PathCheck = ({ path }) => {
  for (let i = 0; i < path.length; i++) {
    const weak = keyWeaknessOf(path[i]);
    if (weak) return { reason: 'weak_key', detail: `${who(path, i)}: ${weak}` };
  }
  return null;
};

const weaknessCache = new WeakMap<Certificate, string | null>();

/** keyWeakness of a certificate's key, remembered per certificate (reading key details crosses into native code). */
export function keyWeaknessOf(cert: Certificate): string | null {
  let w = weaknessCache.get(cert);
  if (w === undefined) {
    w = keyWeakness(cert.publicKey());
    weaknessCache.set(cert, w);
  }
  return w;
}

/** RFC 5280 §6.1.3(a)(1): each signature verifies under the next certificate's key over the exact TBS bytes. */
export const checkSignatures: PathCheck = ({ path }) => {
  for (let i = 0; i + 1 < path.length; i++) {
    if (!signedBy(path[i], path[i + 1]))
      return { reason: 'bad_signature', detail: `${who(path, i)}: signature does not verify` };
  }
  return null;
};

/** Signature of `cert` under `issuer`'s key, cached on the certificate per issuer key. */
export function signedBy(cert: Certificate, issuer: Certificate): boolean {
  const cached = cert.signatureCache.get(issuer.spki.hash);
  if (cached !== undefined) return cached;
  const ok = verifySigned(cert.signatureAlgorithm, issuer.publicKey(), cert.tbs, cert.signature);
  if (cert.signatureCache.size > 16) cert.signatureCache.clear();
  cert.signatureCache.set(issuer.spki.hash, ok);
  return ok;
}

/** RFC 5280 §6.1.4(k): every issuer, the anchor included, is a v3 certificate with basicConstraints cA=TRUE. */
export const checkIssuersAreCas: PathCheck = ({ path }) => {
  for (let i = 1; i < path.length; i++) {
    if (!path[i].ext.basicConstraints?.ca)
      return { reason: 'not_ca', detail: `${who(path, i)}: not a CA (basicConstraints cA not set)` };
  }
  return null;
};

/**
 * RFC 5280 §6.1.4(l),(m): a CA's pathLenConstraint bounds the non-self-issued intermediates below it.
 * Counted from each CA down, which is the same as the RFC's decrementing max_path_length.
 */
export const checkPathLength: PathCheck = ({ path }) => {
  let below = 0; // non-self-issued intermediates between the leaf and path[i]
  for (let i = 1; i < path.length; i++) {
    const pathLen = path[i].ext.basicConstraints?.pathLen;
    if (pathLen !== undefined && below > pathLen) {
      return {
        reason: 'path_length',
        detail: `${who(path, i)}: pathLenConstraint ${pathLen}, ${below} intermediates below`,
      };
    }
    if (!path[i].selfIssued) below++;
  }
  return null;
};

/** RFC 5280 §6.1.4(n): an issuer with keyUsage must assert keyCertSign. */
export const checkCaKeyUsage: PathCheck = ({ path }) => {
  for (let i = 1; i < path.length; i++) {
    const ku = path[i].ext.keyUsage;
    if (ku !== undefined && !has(ku, KU.keyCertSign))
      return { reason: 'ca_key_usage', detail: `${who(path, i)}: keyUsage lacks keyCertSign` };
  }
  return null;
};

/**
 * RFC 5280 §4.2: "A certificate-using system MUST reject the certificate if it encounters a critical extension it does
 * not recognize or a critical extension that contains information that it cannot process." Policy mappings, policy
 * constraints and inhibitAnyPolicy are not processed here, so they are refused when critical.
 */
export const PROCESSED_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.nameConstraints,
  OID.certificatePolicies, // without policy constraints in force no policy can make a path fail (RFC 5280 §6.1.5(g))
  OID.cRLDistributionPoints,
  OID.authorityInfoAccess,
  OID.subjectDirectoryAttributes,
]);

export const checkCriticalExtensions: PathCheck = ({ path }) => {
  for (let i = 0; i < path.length; i++) {
    for (const e of path[i].extensions) {
      if (e.critical && !PROCESSED_EXTENSIONS.has(e.oid))
        return { reason: 'unknown_critical_extension', detail: `${who(path, i)}: critical ${e.oid}` };
    }
  }
  return null;
};

/** RFC 5280 §4 MUSTs for certificates in the path (the anchor gets the subset that does not depend on who issued it). */
export const checkProfile: PathCheck = ({ path }) => {
  for (let i = 0; i < path.length; i++) {
    const why = profileViolation(path[i], i === 0, i === path.length - 1);
    if (why) return { reason: 'profile_violation', detail: `${who(path, i)}: ${why}` };
  }
  return null;
};

function criticalityOf(cert: Certificate, oid: string): boolean | undefined {
  return cert.extensions.find((e) => e.oid === oid)?.critical;
}

export function profileViolation(cert: Certificate, isLeaf: boolean, isAnchor: boolean): string | null {
  const ext = cert.ext;
  const isCa = !isLeaf;
  // §4.1.2.1: the profile is X.509 v3 below the anchor (a v1/v2 certificate cannot say what it is for)
  if (!isAnchor && cert.version !== 3) return `version ${cert.version} certificate`;
  // §4.1.2.2: serial is a positive integer of at most 20 octets
  if (cert.serial[0] & 0x80) return 'negative serial number';
  if (cert.serial.every((b) => b === 0)) return 'zero serial number';
  if (cert.serial.length > 21 || (cert.serial.length === 21 && cert.serial[0] !== 0))
    return 'serial number longer than 20 octets';
  // §4.1.1.2: signatureAlgorithm MUST equal tbsCertificate.signature
  if (!cert.signatureAlgorithm.der.equals(cert.tbsSignatureAlgorithm.der))
    return 'signatureAlgorithm differs from tbsCertificate.signature';
  // §4.1.2.4: the issuer field MUST contain a non-empty name
  if (isEmptyName(cert.issuer)) return 'empty issuer name';
  // §4.1.2.6: a CA's subject MUST be non-empty; an empty subject needs a critical subjectAltName (§4.2.1.6)
  if (isEmptyName(cert.subject)) {
    if (isCa) return 'CA with an empty subject';
    if (!ext.subjectAltName) return 'empty subject without subjectAltName';
    if (!criticalityOf(cert, OID.subjectAltName)) return 'empty subject with a non-critical subjectAltName';
  }
  // §4.2.1.1: authorityKeyIdentifier is non-critical, and carries keyIdentifier
  if (criticalityOf(cert, OID.authorityKeyIdentifier)) return 'critical authorityKeyIdentifier';
  if (ext.authorityKeyId && !ext.authorityKeyId.keyId) return 'authorityKeyIdentifier without keyIdentifier';
  // §4.2.1.2: subjectKeyIdentifier is non-critical, and present in every CA certificate
  if (criticalityOf(cert, OID.subjectKeyIdentifier)) return 'critical subjectKeyIdentifier';
  if (isCa && !ext.subjectKeyId) return 'CA without subjectKeyIdentifier';
  // a self-signed anchor that names its own key must name the key it has
  if (
    isAnchor &&
    ext.authorityKeyId?.keyId &&
    ext.subjectKeyId &&
    cert.selfIssued &&
    !ext.authorityKeyId.keyId.equals(ext.subjectKeyId)
  ) {
    return 'self-signed certificate whose authorityKeyIdentifier differs from its subjectKeyIdentifier';
  }
  // §4.2.1.3: keyCertSign only with cA=TRUE
  if (ext.keyUsage !== undefined && has(ext.keyUsage, KU.keyCertSign) && !ext.basicConstraints?.ca)
    return 'keyCertSign without cA';
  // §4.2.1.3 with §4.2.1.9: a CA whose keyUsage omits keyCertSign contradicts itself (it can sign no certificate)
  if (ext.basicConstraints?.ca && ext.keyUsage !== undefined && !has(ext.keyUsage, KU.keyCertSign))
    return 'cA=TRUE but keyUsage without keyCertSign';
  // §4.2.1.3: "When the keyUsage extension appears in a certificate, at least one of the bits MUST be set to 1"
  if (ext.keyUsage === 0) return 'keyUsage with no bits set';
  // §4.2.1.10: name constraints only in CA certificates
  if (ext.nameConstraints && !ext.basicConstraints?.ca) return 'nameConstraints in a non-CA certificate';
  // §4.2.1.10: "Conforming CAs MUST mark this extension as critical"
  if (ext.nameConstraints && !criticalityOf(cert, OID.nameConstraints)) return 'non-critical nameConstraints';
  // §4.2.1.1: every certificate but a self-signed one carries authorityKeyIdentifier (an anchor cross-signed by another CA too)
  if (!ext.authorityKeyId && !cert.selfIssued) return 'no authorityKeyIdentifier';
  // §4.2.2.1: authorityInfoAccess MUST be non-critical
  if (criticalityOf(cert, OID.authorityInfoAccess)) return 'critical authorityInfoAccess';
  if (!isAnchor) {
    // §4.2.1.1: every certificate but a self-signed one carries authorityKeyIdentifier
    if (!ext.authorityKeyId) return 'no authorityKeyIdentifier';
    // §4.2.1.9: CAs MUST mark basicConstraints critical (the real GRCA G1 root does not, so anchors are spared)
    if (isCa && ext.basicConstraints && !criticalityOf(cert, OID.basicConstraints))
      return 'non-critical basicConstraints in a CA';
  }
  return null;
}

/**
 * RFC 5280 §6.1.3(b),(c) and §6.1.4(g): constraints from the anchor down apply to every certificate below them;
 * self-issued intermediates are exempt (§6.1.3(b)), the leaf never is.
 */
export const checkNameConstraints: PathCheck = ({ path }) => {
  const state = emptyState();
  for (let i = path.length - 1; i >= 0; i--) {
    const cert = path[i];
    if (i < path.length - 1 && (i === 0 || !cert.selfIssued)) {
      const why = checkSubjectNames(state, cert.subject, cert.ext.subjectAltName);
      if (why) return { reason: 'name_constraints', detail: `${who(path, i)}: ${why}` };
    }
    if (i > 0 && cert.ext.nameConstraints) {
      const bad = addConstraints(state, cert.ext.nameConstraints);
      if (bad) return { reason: 'name_constraints', detail: `${who(path, i)}: ${bad}` };
    }
  }
  return null;
};

/** In this order: what the design's §3 step 4 lists first comes first. */
export const LEAF_CHECKS: readonly LeafCheck[] = [checkLeafValidity, checkLeafNotCa, checkLeafKeyUsage, checkLeafEku];

export const PATH_CHECKS: readonly PathCheck[] = [
  checkPathDepth,
  checkValidity,
  checkNameChaining,
  checkAlgorithms,
  checkKeys,
  checkSignatures,
  checkIssuersAreCas,
  checkPathLength,
  checkCaKeyUsage,
  checkCriticalExtensions,
  checkProfile,
  checkNameConstraints,
];
