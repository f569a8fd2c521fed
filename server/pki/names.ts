// Distinguished names (RFC 5280 §4.1.2.4) and their comparison (RFC 5280 §7.1).
import { Asn1Error, T, UNIVERSAL, children, directoryString, bytes, oid, seq, type Node } from './asn1.js';
import { OID } from './oids.js';

export interface Attribute {
  type: string;
  /** decoded value for string types; hex of the DER value for anything else */
  value: string;
  /** the ASN.1 universal tag of the value */
  tag: number;
}

export interface Name {
  rdns: Attribute[][];
  /** comparison key: equal keys mean equal names under RFC 5280 §7.1 (simplified RFC 4518 string preparation) */
  key: string;
  /** per-RDN comparison keys, in DN order */
  parts: string[];
}

const STRING_TAGS = new Set<number>([
  T.UTF8,
  T.PRINTABLE,
  T.BMP,
  T.UNIVERSALSTRING,
  T.T61,
  T.IA5,
  T.VISIBLE,
  T.NUMERIC,
]);

/** RFC 4518 §2 in the small: case fold and squeeze insignificant spaces; enough for names made by real CAs. */
function prepare(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function parseName(node: Node | undefined, what: string): Name {
  const rdnNodes = seq(node, what);
  const rdns: Attribute[][] = [];
  const keyParts: string[] = [];
  for (const rdnNode of rdnNodes) {
    if (rdnNode.tagClass !== UNIVERSAL || rdnNode.type !== T.SET) throw new Asn1Error(`${what}: RDN is not a SET`);
    const atvs = children(rdnNode, what);
    if (atvs.length === 0) throw new Asn1Error(`${what}: empty RDN`);
    const rdn: Attribute[] = [];
    for (const atv of atvs) {
      const [typeNode, valueNode, extra] = seq(atv, `${what} attribute`);
      if (!valueNode || extra) throw new Asn1Error(`${what}: bad attribute`);
      const type = oid(typeNode, `${what} attribute type`);
      let value: string;
      if (valueNode.tagClass === UNIVERSAL && STRING_TAGS.has(valueNode.type)) {
        value = directoryString(valueNode, `${what} ${type}`);
      } else {
        value = bytes(valueNode, `${what} ${type}`).toString('hex');
      }
      rdn.push({ type, value, tag: valueNode.type });
    }
    rdns.push(rdn);
    // multi-valued RDNs compare as sets (RFC 5280 §7.1)
    keyParts.push(
      rdn
        .map((a) => `${a.type}=${STRING_TAGS.has(a.tag) ? 's:' + prepare(a.value) : 'b:' + a.value}`)
        .sort()
        .join('+'),
    );
  }
  return { rdns, key: JSON.stringify(keyParts), parts: keyParts };
}

export function nameEquals(a: Name, b: Name): boolean {
  return a.key === b.key;
}

export function isEmptyName(n: Name): boolean {
  return n.rdns.length === 0;
}

/** First value of an attribute type, in DN order. */
export function nameAttribute(n: Name, type: string): string | undefined {
  for (const rdn of n.rdns) for (const a of rdn) if (a.type === type) return a.value;
  return undefined;
}

const SHORT: Record<string, string> = {
  [OID.countryName]: 'C',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.commonName]: 'CN',
  [OID.serialNumber]: 'serialNumber',
  [OID.emailAddress]: 'emailAddress',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '0.9.2342.19200300.100.1.25': 'DC',
};

/** A readable one-line form in DN order, e.g. `C=TW, O=行政院, OU=內政部憑證管理中心` (for logs and the CLI). */
export function nameToString(n: Name): string {
  return n.rdns.map((rdn) => rdn.map((a) => `${SHORT[a.type] ?? a.type}=${a.value}`).join(' + ')).join(', ');
}

/** Is `inner` within the subtree rooted at `base` (RFC 5280 §4.2.1.10: directoryName constraints are DN prefixes)? */
export function nameWithinSubtree(inner: Name, base: Name): boolean {
  if (base.rdns.length > inner.rdns.length) return false;
  for (let i = 0; i < base.parts.length; i++) if (inner.parts[i] !== base.parts[i]) return false;
  return true;
}
