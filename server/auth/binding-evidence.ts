// What a registration's card comparison proved, and what it did not. A MOICA certificate names its
// holder (CN) and carries only the last four digits of the ID number (DESIGN.md §3), so the first six characters of
// the ID number and the birth date are the applicant's own word: this record says so, for the page and the operator.
import type { CertificateIdentity } from './certificate-identity';
import { sameName } from '../forms/name';

/** exact: the same string; normalised: equal after normaliseName and Latin case; mismatch: neither. */
export type NameComparison = 'exact' | 'normalised' | 'mismatch';

/** Facts the applicant typed that nothing on a MOICA card can confirm. */
export const NOT_PROVEN = ['id_first6', 'birth_date'] as const;
export type NotProven = (typeof NOT_PROVEN)[number];

export interface BindingEvidence {
  /** The card's ID attribute (2.16.886.1.100.2.51) against the last four characters typed. */
  idLast4: { card: string | null; typed: string; matched: boolean };
  /** The certificate's CN against the 聯絡人姓名 typed (stored already normalised by the form). */
  name: { cardCn: string; typed: string; comparison: NameComparison };
  cardSerial: string | null;
  certificate: { issuerDn: string; serialHex: string; subjectSerial: string | null };
  notProven: NotProven[];
}

export function compareNames(cardCn: string, typed: string): NameComparison {
  if (cardCn === typed) return 'exact';
  return sameName(cardCn, typed) ? 'normalised' : 'mismatch';
}

type CardFacts = Pick<
  CertificateIdentity,
  'idLast4' | 'subjectCn' | 'cardSerial' | 'issuerDn' | 'serialHex' | 'subjectSerial'
>;

/** The comparison of a card with the details typed; the full ID number itself is not kept here, only its last four. */
export function bindingEvidence(applicant: { name: string; idNumber: string }, card: CardFacts): BindingEvidence {
  const typedLast4 = applicant.idNumber.slice(-4);
  return {
    idLast4: { card: card.idLast4, typed: typedLast4, matched: card.idLast4 !== null && card.idLast4 === typedLast4 },
    name: { cardCn: card.subjectCn, typed: applicant.name, comparison: compareNames(card.subjectCn, applicant.name) },
    cardSerial: card.cardSerial,
    certificate: { issuerDn: card.issuerDn, serialHex: card.serialHex, subjectSerial: card.subjectSerial },
    notProven: [...NOT_PROVEN],
  };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The evidence as stored in a registration audit event's details (jsonb), or undefined when absent or not of this shape. */
export function evidenceFromDetails(details: Record<string, unknown>): BindingEvidence | undefined {
  const e = details.binding;
  if (
    !isRecord(e) ||
    !isRecord(e.idLast4) ||
    !isRecord(e.name) ||
    !isRecord(e.certificate) ||
    !Array.isArray(e.notProven)
  )
    return undefined;
  const { idLast4, name, certificate } = e;
  if (!isStringOrNull(idLast4.card) || !isString(idLast4.typed) || typeof idLast4.matched !== 'boolean')
    return undefined;
  if (
    !isString(name.cardCn) ||
    !isString(name.typed) ||
    !['exact', 'normalised', 'mismatch'].includes(name.comparison as string)
  )
    return undefined;
  if (!isString(certificate.issuerDn) || !isString(certificate.serialHex) || !isStringOrNull(certificate.subjectSerial))
    return undefined;
  if (!isStringOrNull(e.cardSerial)) return undefined;
  return {
    idLast4: { card: idLast4.card, typed: idLast4.typed, matched: idLast4.matched },
    name: { cardCn: name.cardCn, typed: name.typed, comparison: name.comparison as NameComparison },
    cardSerial: e.cardSerial,
    certificate: {
      issuerDn: certificate.issuerDn,
      serialHex: certificate.serialHex,
      subjectSerial: certificate.subjectSerial,
    },
    notProven: e.notProven.filter((p): p is NotProven => (NOT_PROVEN as readonly unknown[]).includes(p)),
  };
}
