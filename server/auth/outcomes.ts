// Refusals that are not the user's fault (a revoked or expired card, an account under review, suspended or rejected,
// a card or ID number that already has an account, a card bound to no account, an account the chosen way cannot
// help) end a journey: retyping the PIN changes nothing. They are answered with an outcome page that says what
// happened and what to do next, instead of an error at the PIN field. Every other reason (a wrong card for the
// typed details, an expired challenge, a signature that does not verify) is something to try again, at the form.

/** Where a refusal happened: the next steps differ (a login can fall back to the password; a registration cannot). */
export type Journey = 'login' | 'register' | 'recover';

/** What the user can do next; each has a link (or the 客服 contact) on the outcome page. */
export type NextStep =
  | 'renew_card' // 換發新卡 at a household registration office, then log in with it: the renewed card is re-bound
  | 'certificate_login' // 直接登入 with the card
  | 'password_login' // 帳號密碼登入, for the services without certificate
  | 'forgot_password' // 忘記密碼: a new password proven with the card
  | 'register' // 帳號註冊
  | 'wait_review' // an operator reviews the registration and answers by e-mail
  | 'support'; // 客服: phone, e-mail, opening hours

export type OutcomeReason =
  | 'revoked'
  | 'expired'
  | 'revocation_unknown'
  | 'account_pending'
  | 'account_suspended'
  | 'account_rejected'
  | 'id_already_registered'
  | 'certificate_already_registered'
  | 'organisation_already_registered'
  | 'unknown_certificate'
  | 'renewal_not_bound'
  | 'password_not_set';

export interface Outcome {
  reason: OutcomeReason;
  /** The HTTP status of the outcome page. */
  status: number;
  steps: readonly NextStep[];
}

type StepsByJourney = Partial<Record<Journey, readonly NextStep[]>>;

const CARD_UNUSABLE: StepsByJourney = {
  login: ['renew_card', 'password_login', 'support'],
  register: ['renew_card', 'support'],
  recover: ['renew_card', 'support'],
};

const OUTCOMES: Record<OutcomeReason, { status: number; steps: StepsByJourney }> = {
  revoked: { status: 403, steps: CARD_UNUSABLE },
  expired: { status: 403, steps: CARD_UNUSABLE },
  revocation_unknown: {
    status: 403,
    steps: { login: ['password_login', 'support'], register: ['support'], recover: ['support'] },
  },
  account_pending: {
    status: 403,
    steps: { login: ['wait_review', 'support'], recover: ['wait_review', 'support'] },
  },
  account_suspended: { status: 403, steps: { login: ['support'], recover: ['support'] } },
  account_rejected: { status: 403, steps: { login: ['support'], recover: ['support'] } },
  id_already_registered: {
    status: 409,
    steps: { register: ['certificate_login', 'password_login', 'forgot_password', 'support'] },
  },
  certificate_already_registered: {
    status: 409,
    steps: { register: ['certificate_login', 'forgot_password', 'support'] },
  },
  // A company's 統一編號 (an agency's 機關代碼) with an account in this category already.
  organisation_already_registered: { status: 409, steps: { register: ['certificate_login', 'support'] } },
  unknown_certificate: { status: 404, steps: { login: ['register', 'support'], recover: ['register', 'support'] } },
  // 忘記密碼 with a renewed card not bound yet: binding it needs the password, so only the old card or 客服 can help.
  renewal_not_bound: { status: 409, steps: { recover: ['support'] } },
  // 忘記密碼 for an account that logs in with its card only: there is no password to reset.
  password_not_set: { status: 409, steps: { recover: ['certificate_login'] } },
};

/** The outcome of a refusal in a journey, or undefined when the reason is one to try again at the form. */
export function outcomeFor(reason: string, journey: Journey): Outcome | undefined {
  const known = (OUTCOMES as Record<string, (typeof OUTCOMES)[OutcomeReason] | undefined>)[reason];
  const steps = known?.steps[journey];
  if (!known || !steps) return undefined;
  return { reason: reason as OutcomeReason, status: known.status, steps };
}

/** Every reason that ends in an outcome page somewhere: each needs a title and a message in locales/. */
export const OUTCOME_REASONS = Object.keys(OUTCOMES) as readonly OutcomeReason[];
export const NEXT_STEPS: readonly NextStep[] = [
  'renew_card',
  'certificate_login',
  'password_login',
  'forgot_password',
  'register',
  'wait_review',
  'support',
];
