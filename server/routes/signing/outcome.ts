// The outcome page of a refusal that is not the user's fault (server/auth/outcomes.ts): what happened, the card it
// happened with, and the next steps as links (換發新卡, 直接登入, 帳號密碼登入, 忘記密碼, 帳號註冊) and the 客服 contact.
// The same words reach the page script as JSON when it checks a card right after 載入 (card-check.ts).
// A company's or agency's card (工商憑證, 政府憑證, 通關專屬憑證) has words and links of its own where they differ:
// its issuer is not the household registration office, and it logs in at 工商憑證登入.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { outcomeFor, type Journey, type NextStep, type Outcome } from '../../auth/outcomes';
import { supportFor } from '../../plugins/views';

/** Whose card it is: the words of 換發新卡 and 直接登入 differ. */
export type Audience = 'citizen' | 'organisation';

/** Where each next step leads; the review and the 客服 contact are words, not pages. */
const STEP_LINKS: Record<Audience, Record<NextStep, string | undefined>> = {
  citizen: {
    renew_card: '/login/certificate',
    certificate_login: '/login/certificate',
    password_login: '/login/password',
    forgot_password: '/login/forgot-password',
    register: '/register',
    wait_review: undefined,
    support: undefined,
  },
  organisation: {
    renew_card: '/login/organisation-certificate',
    certificate_login: '/login/organisation-certificate',
    password_login: '/login/password',
    forgot_password: '/login/forgot-password',
    register: '/register',
    wait_review: undefined,
    support: undefined,
  },
};

export interface NextStepView {
  step: NextStep;
  href?: string;
  label: string;
  text: string;
}

export interface OutcomeView {
  reason: string;
  title: string;
  text: string;
  steps: NextStepView[];
}

/** The card the refusal is about, as the page names it. */
export interface OutcomeCard {
  subjectCn: string;
  cardSerial: string | null;
  /** the organisation profile the engine reads from every certificate: its issuer's kind tells whose card it is */
  organisation?: { issuerKind?: string };
}

export interface SupportWords {
  phone: string;
  email: string;
  hours: string;
}

/** The audience's own words where the locale has them (`….organisation.title`), else the common ones. */
function wordsFor(request: FastifyRequest, key: string, audience: Audience, params: Record<string, string>): string {
  if (audience === 'organisation') {
    const own = request.t(`${key.replace(/\.(\w+)$/, '.organisation.$1')}`, params);
    if (!own.startsWith('outcome.')) return own;
  }
  return request.t(key, params);
}

/** The issuers of companies' and agencies' certificates (工商憑證, 政府憑證, and 通關專屬憑證 as configured trust). */
const ORGANISATION_ISSUERS = new Set(['moeaca', 'gca', 'configured']);

export function audienceOf(card: OutcomeCard | undefined, given?: Audience): Audience {
  if (given) return given;
  return ORGANISATION_ISSUERS.has(card?.organisation?.issuerKind ?? '') ? 'organisation' : 'citizen';
}

export function outcomeView(
  request: FastifyRequest,
  outcome: Outcome,
  card: OutcomeCard | undefined,
  support: SupportWords,
  given?: Audience,
): OutcomeView {
  const audience = audienceOf(card, given);
  const key = `outcome.reasons.${outcome.reason}`;
  const steps = outcome.steps;
  return {
    reason: outcome.reason,
    title: wordsFor(request, `${key}.title`, audience, {}),
    text: wordsFor(request, `${key}.text`, audience, { name: card?.subjectCn ?? '' }),
    steps: steps.map((step) => ({
      step,
      href: STEP_LINKS[audience][step],
      label: wordsFor(request, `outcome.steps.${step}.label`, audience, {}),
      text: wordsFor(request, `outcome.steps.${step}.text`, audience, { ...support }),
    })),
  };
}

function breadcrumbStart(request: FastifyRequest, journey: Journey) {
  return journey === 'register'
    ? { label: request.t('register.chooser.title'), href: '/register' }
    : { label: request.t('login.title'), href: '/login' };
}

/** What the refused request was proven with: the page speaks of the PIN only after a card. */
export type ProvenBy = 'card' | 'password';

/** Renders the outcome page with its status (403, 404 or 409: the request was understood and refused). */
export function renderOutcome(
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: Outcome,
  journey: Journey,
  card: OutcomeCard | undefined,
  support: SupportWords,
  audience?: Audience,
  method: ProvenBy = 'card',
): FastifyReply {
  const view = outcomeView(request, outcome, card, support, audience);
  return reply.code(outcome.status).page('signing/outcome', {
    pageTitle: view.title,
    breadcrumb: [breadcrumbStart(request, journey), { label: view.title }],
    outcome: view,
    card,
    // The PIN is named only where a card was used: a password login's refusal has none.
    cardUsed: method === 'card',
  });
}

/**
 * The outcome pages of one app: `refusal` answers a reason with its outcome page when it has one in the journey, and
 * returns undefined for a reason that belongs at the form.
 */
export function outcomePages(config: Config) {
  const support = (request: FastifyRequest) => supportFor(config.support, request.t);
  return {
    view: (request: FastifyRequest, outcome: Outcome, card?: OutcomeCard, audience?: Audience) =>
      outcomeView(request, outcome, card, support(request), audience),
    render: (
      request: FastifyRequest,
      reply: FastifyReply,
      outcome: Outcome,
      journey: Journey,
      card?: OutcomeCard,
      audience?: Audience,
      method?: ProvenBy,
    ) => renderOutcome(request, reply, outcome, journey, card, support(request), audience, method),
    refusal(
      request: FastifyRequest,
      reply: FastifyReply,
      reason: string,
      journey: Journey,
      card?: OutcomeCard,
      audience?: Audience,
    ): FastifyReply | undefined {
      const outcome = outcomeFor(reason, journey);
      return outcome ? renderOutcome(request, reply, outcome, journey, card, support(request), audience) : undefined;
    },
  };
}

export type OutcomePages = ReturnType<typeof outcomePages>;
