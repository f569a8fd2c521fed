// The card comparison of a registration as the operator sees it beside the account and on the approve/reject pages:
// the card's CN against the typed name (flagged when they differ), the ID's last four, and what nothing proved.
import type { FastifyRequest } from 'fastify';
import type { Account } from '../../db/accounts-repository';
import { auditRepository } from '../../db/audit-repository';
import { certificatesRepository } from '../../db/certificates-repository';
import { bindingEvidence, evidenceFromDetails, type BindingEvidence } from '../../auth/binding-evidence';

export interface EvidenceView {
  /** registration: recorded when the account was created; certificate: compared now (nothing was recorded then). */
  source: 'registration' | 'certificate';
  typedName: string;
  cardCn: string;
  nameComparison: BindingEvidence['name']['comparison'];
  nameMismatch: boolean;
  nameText: string;
  idLast4Matched: boolean;
  idLast4Text: string;
  cardSerial: string;
  certificateSerial: string;
  notProven: string;
}

/**
 * The registration's recorded evidence; for an account registered before it was recorded, the same comparison made
 * now with its active certificate (said so on the page), so pending reviews from then are flagged too.
 */
export async function findBindingEvidence(
  request: FastifyRequest,
  account: Account,
): Promise<EvidenceView | undefined> {
  // The evidence compares an ID number and a holder's name with a citizen card; a company's or agency's account is
  // shown its organisation fields instead (account-detail.ts).
  if (account.category !== 'individual' && account.category !== 'customs_specialist') return undefined;
  const db = request.server.db;
  const event = await auditRepository(db).findLatestForAccount(account.id, 'register');
  const recorded = event && evidenceFromDetails(event.details);
  if (recorded) return evidenceView(request, recorded, 'registration');
  const active = (await certificatesRepository(db).listForAccount(account.id)).find((c) => c.unboundAt === null);
  if (!active) return undefined;
  return evidenceView(request, bindingEvidence(account, active), 'certificate');
}

function evidenceView(
  request: FastifyRequest,
  evidence: BindingEvidence,
  source: EvidenceView['source'],
): EvidenceView {
  const t = request.t;
  return {
    source,
    typedName: evidence.name.typed,
    cardCn: evidence.name.cardCn,
    nameComparison: evidence.name.comparison,
    nameMismatch: evidence.name.comparison === 'mismatch',
    nameText: t(`admin.evidence.name.${evidence.name.comparison}`),
    idLast4Matched: evidence.idLast4.matched,
    idLast4Text: t(evidence.idLast4.matched ? 'admin.evidence.idLast4.matched' : 'admin.evidence.idLast4.mismatch'),
    cardSerial: evidence.cardSerial ?? '',
    certificateSerial: evidence.certificate.serialHex,
    notProven: evidence.notProven
      .map((item) => t(`admin.evidence.notProven.${item}`))
      .join(t('admin.evidence.listSeparator')),
  };
}
