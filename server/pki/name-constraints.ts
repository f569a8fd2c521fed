// Name constraints (RFC 5280 §4.2.1.10, processing in §6.1.3(b),(c) and §6.1.4(g)).
// Supported name forms: directoryName, dNSName, rfc822Name, uniformResourceIdentifier, iPAddress. A constraint of any
// other form cannot be processed, so the certificate carrying it is refused (RFC 5280 §4.2.1.10: "if a name constraints
// extension that is marked as critical imposes constraints on a particular name form ... the application MUST ... reject").
import type { GeneralName, GeneralSubtree, NameConstraints } from './extensions.js';
import { nameWithinSubtree, type Name } from './names.js';
import { OID } from './oids.js';

type Kind = 'dn' | 'dns' | 'email' | 'uri' | 'ip';
const SUPPORTED = new Set<string>(['dn', 'dns', 'email', 'uri', 'ip']);

export interface ConstraintState {
  /** each entry is one certificate's permitted subtrees of one kind; a name must be inside one subtree of every entry */
  permitted: Map<Kind, GeneralName[][]>;
  excluded: Map<Kind, GeneralName[]>;
}

export function emptyState(): ConstraintState {
  return { permitted: new Map(), excluded: new Map() };
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** A host name in preferred name syntax (RFC 1034 §3.5, RFC 5280 §4.2.1.6), optionally one leading `*.` wildcard. */
export function isValidDnsName(name: string, allowWildcard: boolean): boolean {
  if (name.length === 0 || name.length > 253) return false;
  let labels = name.split('.');
  if (allowWildcard && labels[0] === '*' && labels.length > 2) labels = labels.slice(1);
  return labels.every((l) => LABEL.test(l));
}

/** A dNSName constraint: a domain, optionally with a leading dot for "subdomains only"; no wildcards. */
function isValidDnsConstraint(c: string): boolean {
  if (c === '') return true; // the empty constraint matches every name
  return isValidDnsName(c.startsWith('.') ? c.slice(1) : c, false);
}

function validConstraint(gn: GeneralName): string | null {
  if (!SUPPORTED.has(gn.kind)) return `${gn.kind} name constraints are not supported`;
  if (gn.kind === 'dns' && !isValidDnsConstraint(gn.value))
    return `invalid dNSName constraint ${JSON.stringify(gn.value)}`;
  if (gn.kind === 'ip') {
    // RFC 5280 §4.2.1.10: address and mask, 8 octets for IPv4, 32 for IPv6; the mask must be contiguous ones (CIDR)
    const v = gn.value;
    if (v.length !== 8 && v.length !== 32) return 'invalid iPAddress constraint length';
    const mask = v.subarray(v.length / 2);
    let zeros = false;
    for (const byte of mask) {
      for (let bit = 7; bit >= 0; bit--) {
        const one = (byte >> bit) & 1;
        if (one && zeros) return 'iPAddress constraint mask is not CIDR';
        if (!one) zeros = true;
      }
    }
  }
  if ((gn.kind === 'email' || gn.kind === 'uri') && /\s/.test(gn.value)) return `invalid ${gn.kind} constraint`;
  return null;
}

/** Adds one certificate's constraints to the state (RFC 5280 §6.1.4(g)); returns why they cannot be processed, or null. */
export function addConstraints(state: ConstraintState, nc: NameConstraints): string | null {
  const all = [...(nc.permitted ?? []), ...(nc.excluded ?? [])];
  for (const st of all) {
    const bad = validConstraint(st.base);
    if (bad) return bad;
  }
  if (nc.permitted) {
    const byKind = new Map<Kind, GeneralName[]>();
    for (const { base } of nc.permitted as GeneralSubtree[]) {
      const k = base.kind as Kind;
      byKind.set(k, [...(byKind.get(k) ?? []), base]);
    }
    for (const [k, list] of byKind) state.permitted.set(k, [...(state.permitted.get(k) ?? []), list]);
  }
  for (const { base } of nc.excluded ?? []) {
    const k = base.kind as Kind;
    state.excluded.set(k, [...(state.excluded.get(k) ?? []), base]);
  }
  return null;
}

function dnsMatches(name: string, constraint: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const c = constraint.toLowerCase();
  if (c === '') return true;
  if (c.startsWith('.')) return n.endsWith(c);
  return n === c || n.endsWith('.' + c);
}

function hostMatches(host: string, constraint: string): boolean {
  const h = host.toLowerCase();
  const c = constraint.toLowerCase();
  // RFC 5280 §4.2.1.10: ".example.com" means any host below; "example.com" means that host only (for email and URI)
  if (c.startsWith('.')) return h.endsWith(c);
  return h === c;
}

function emailMatches(mailbox: string, constraint: string): boolean {
  const at = mailbox.lastIndexOf('@');
  if (at <= 0) return false;
  if (constraint.includes('@')) {
    // a particular mailbox: local part compared exactly, host case-insensitively
    const cat = constraint.lastIndexOf('@');
    return (
      mailbox.slice(0, at) === constraint.slice(0, cat) &&
      mailbox.slice(at + 1).toLowerCase() === constraint.slice(cat + 1).toLowerCase()
    );
  }
  return hostMatches(mailbox.slice(at + 1), constraint);
}

function uriHost(uri: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  if (!m || m[1] === '') return null;
  return m[1];
}

function ipMatches(ip: Buffer, constraint: Buffer): boolean {
  if (ip.length * 2 !== constraint.length) return false;
  for (let i = 0; i < ip.length; i++) {
    const mask = constraint[ip.length + i];
    if ((ip[i] & mask) !== (constraint[i] & mask)) return false;
  }
  return true;
}

function matches(name: GeneralName, c: GeneralName): boolean {
  switch (name.kind) {
    case 'dns':
      return c.kind === 'dns' && dnsMatches(name.value, c.value);
    case 'email':
      return c.kind === 'email' && emailMatches(name.value, c.value);
    case 'uri': {
      const host = uriHost(name.value);
      return c.kind === 'uri' && host !== null && hostMatches(host, c.value);
    }
    case 'ip':
      return c.kind === 'ip' && ipMatches(name.value, c.value);
    case 'dn':
      return c.kind === 'dn' && nameWithinSubtree(name.value, c.value as Name);
    default:
      return false;
  }
}

/** A name's own syntax, checked before matching so a malformed name cannot slip past a constraint. */
function nameSyntaxError(name: GeneralName): string | null {
  if (name.kind === 'dns' && !isValidDnsName(name.value, true)) return `invalid dNSName ${JSON.stringify(name.value)}`;
  if (name.kind === 'ip' && name.value.length !== 4 && name.value.length !== 16) return 'invalid iPAddress length';
  if (name.kind === 'email' && !/^[^@\s]+@[^@\s]+$/.test(name.value)) return 'invalid rfc822Name';
  return null;
}

/** Checks one name against the state; returns why it is refused, or null. */
function checkName(state: ConstraintState, name: GeneralName): string | null {
  const syntax = nameSyntaxError(name);
  const kind = name.kind as Kind;
  const permitted = state.permitted.get(kind);
  const excluded = state.excluded.get(kind);
  if (!permitted && !excluded) return null;
  if (syntax) return syntax;
  if (!SUPPORTED.has(name.kind)) return `${name.kind} names cannot be checked`;
  for (const c of excluded ?? []) if (matches(name, c)) return `${describe(name)} is in an excluded subtree`;
  for (const set of permitted ?? [])
    if (!set.some((c) => matches(name, c))) return `${describe(name)} is not in a permitted subtree`;
  return null;
}

function describe(name: GeneralName): string {
  if (name.kind === 'ip') return `IP ${name.value.toString('hex')}`;
  if (name.kind === 'dn') return 'the subject DN';
  return `${name.kind} ${JSON.stringify(name.value)}`;
}

/** The subject names of a certificate that constraints apply to: subject DN, its emailAddress attributes, and the SAN. */
export function checkSubjectNames(
  state: ConstraintState,
  subject: Name,
  san: GeneralName[] | undefined,
): string | null {
  const names: GeneralName[] = [];
  if (subject.rdns.length > 0) names.push({ kind: 'dn', value: subject });
  // RFC 5280 §4.2.1.10: email addresses in the subject's emailAddress attribute are checked against rfc822Name constraints
  for (const rdn of subject.rdns)
    for (const a of rdn) if (a.type === OID.emailAddress) names.push({ kind: 'email', value: a.value });
  names.push(...(san ?? []));
  for (const n of names) {
    const why = checkName(state, n);
    if (why) return why;
  }
  return null;
}
