// Words for the codes the audit trail and the login history store: an operator reads 核准申請, not account.approve.
// A code without words (one added without its locale entry) is shown as it is rather than hidden; the admin tests
// find every code the portal writes and check that both languages word it.
import type { Translate } from '../../plugins/i18n';

function worded(t: Translate, key: string): string | undefined {
  const text = t(key);
  return text === key ? undefined : text;
}

/** 'account.approve' → 核准申請 (locale keys cannot hold dots: admin.auditActions.account_approve). */
export function auditActionLabel(t: Translate, action: string): string {
  return worded(t, `admin.auditActions.${action.replace(/\./g, '_')}`) ?? action;
}

/**
 * A login attempt's outcome: the portal's own (wrong_password, locked …) in operator words, a certificate or challenge
 * refusal in the words the user was shown.
 */
export function loginOutcomeLabel(t: Translate, outcome: string): string {
  return worded(t, `admin.loginOutcomes.${outcome}`) ?? worded(t, `signing.reasons.${outcome}`) ?? outcome;
}

/** Who acted: 'operator:王小明' → 承辦人員 王小明, 'account:12' → 帳號 12, 'system' → 系統. */
export function actorDisplay(t: Translate, label: string): string {
  const colon = label.indexOf(':');
  const kind = colon < 0 ? label : label.slice(0, colon);
  const who = colon < 0 ? '' : label.slice(colon + 1);
  const word = worded(t, `admin.actors.${kind}`);
  if (!word) return label;
  return who ? t('admin.actors.named', { kind: word, who }) : word;
}

/** Why a certificate was unbound: the portal's own reasons in words, an operator's typed reason as typed. */
export function unboundReasonLabel(t: Translate, reason: string): string {
  return worded(t, `admin.unboundReasons.${reason}`) ?? reason;
}
