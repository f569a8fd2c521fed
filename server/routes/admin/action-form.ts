// The reason page every operator action shares (GOV.UK question page: GET shows it, POST validates, 303 on success),
// and the refusal page for an action that does not apply.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../db/accounts-repository';
import type { FieldError } from '../../plugins/views';
import type { EvidenceView } from './binding-evidence';
import { REASON_MAX } from '../../forms/reason';
import { displayAccountId } from '../../mask';
import { NOTIFIED_ACTIONS, type AccountAction } from '../../admin/account-rules';

export interface ActionPage {
  /** Key under admin.actions: title, lead and button texts. */
  key: string;
  account: Account;
  formAction: string;
  /** Extra lines describing what is acted on (a certificate, say). */
  details?: Array<{ label: string; value: string }>;
  /** The registration's card comparison, on the pages that decide a review (approve, reject). */
  evidence?: EvidenceView;
  reason?: string;
  errors?: FieldError[];
}

/** Actions that take something away from the account holder: their buttons are styled as a warning. */
export const WARNING_ACTIONS: ReadonlySet<string> = new Set(['reject', 'suspend', 'unbind']);

export function renderActionForm(request: FastifyRequest, reply: FastifyReply, page: ActionPage): FastifyReply {
  const t = request.t;
  const title = t(`admin.actions.${page.key}.title`);
  const mailed = NOTIFIED_ACTIONS[page.key as AccountAction];
  // A rejection's reason is quoted in its e-mail to the applicant; every other reason stays in the audit trail.
  const reasonHint = t(mailed === 'account_rejected' ? 'admin.reason.hintMailed' : 'admin.reason.hint', {
    max: REASON_MAX,
  });
  return reply.page('admin/action', {
    pageTitle: title,
    title,
    lead: t(`admin.actions.${page.key}.lead`),
    button: t(`admin.actions.${page.key}.button`),
    warning: WARNING_ACTIONS.has(page.key),
    mailNote: mailed ? t('admin.actions.mailNote') : '',
    reasonHint,
    breadcrumb: [
      { label: t('admin.dashboard.title'), href: '/admin' },
      { label: t('admin.list.title'), href: '/admin/accounts' },
      { label: page.account.name, href: `/admin/accounts/${page.account.id}` },
      { label: title },
    ],
    account: {
      id: page.account.id,
      name: page.account.name,
      idNumber: displayAccountId(page.account.idNumber),
      status: t(`admin.status.${page.account.status}`),
      category: t(`admin.category.${page.account.category}`),
    },
    details: page.details ?? [],
    evidence: page.evidence,
    formAction: page.formAction,
    reason: page.reason ?? '',
    reasonMax: REASON_MAX,
    errors: page.errors ?? [],
  });
}

/** 409: the action does not apply (an illegal transition, your own account, an operator acting on an admin). */
export function renderRefusal(
  request: FastifyRequest,
  reply: FastifyReply,
  account: Account,
  refusalKey: string,
): FastifyReply {
  const t = request.t;
  reply.code(409);
  return reply.page('admin/refused', {
    pageTitle: t('admin.refusal.title'),
    message: t(`admin.refusal.${refusalKey}`, { status: t(`admin.status.${account.status}`) }),
    account: { id: account.id, name: account.name },
  });
}
