// The outcome page of a refusal that is not the user's fault (server/auth/outcomes.ts): what happened, the card it
// happened with, and the next steps as links (換發新卡, 直接登入, 帳號密碼登入, 忘記密碼, 帳號註冊) and the 客服 contact.
// The same words reach the page script as JSON when it checks a card right after 載入 (card-check.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { outcomeFor, type Journey, type NextStep, type Outcome } from '../../auth/outcomes';
import { supportFor } from '../../plugins/views';

/** Where each next step leads; the review and the 客服 contact are words, not pages. */
const STEP_LINKS: Record<NextStep, string | undefined> = {
  renew_card: '/login/certificate',
  certificate_login: '/login/certificate',
  password_login: '/login/password',
  forgot_password: '/login/forgot-password',
  register: '/register',
  wait_review: undefined,
  support: undefined,
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
}

export interface SupportWords {
  phone: string;
  email: string;
  hours: string;
}

export function outcomeView(
  request: FastifyRequest,
  outcome: Outcome,
  card: OutcomeCard | undefined,
  support: SupportWords,
): OutcomeView {
  const t = request.t;
  const key = `outcome.reasons.${outcome.reason}`;
  return {
    reason: outcome.reason,
    title: t(`${key}.title`),
    text: t(`${key}.text`, { name: card?.subjectCn ?? '' }),
    steps: outcome.steps.map((step) => ({
      step,
      href: STEP_LINKS[step],
      label: t(`outcome.steps.${step}.label`),
      text: t(`outcome.steps.${step}.text`, { ...support }),
    })),
  };
}

function breadcrumbStart(request: FastifyRequest, journey: Journey) {
  return journey === 'register'
    ? { label: request.t('register.chooser.title'), href: '/register' }
    : { label: request.t('login.title'), href: '/login' };
}

/** Renders the outcome page with its status (403, 404 or 409: the request was understood and refused). */
export function renderOutcome(
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: Outcome,
  journey: Journey,
  card: OutcomeCard | undefined,
  support: SupportWords,
): FastifyReply {
  const view = outcomeView(request, outcome, card, support);
  return reply.code(outcome.status).page('signing/outcome', {
    pageTitle: view.title,
    breadcrumb: [breadcrumbStart(request, journey), { label: view.title }],
    outcome: view,
    card,
  });
}

/**
 * The outcome pages of one app: `refusal` answers a reason with its outcome page when it has one in the journey, and
 * returns undefined for a reason that belongs at the form.
 */
export function outcomePages(config: Config) {
  const support = (request: FastifyRequest) => supportFor(config.support, request.t);
  return {
    view: (request: FastifyRequest, outcome: Outcome, card?: OutcomeCard) =>
      outcomeView(request, outcome, card, support(request)),
    render: (request: FastifyRequest, reply: FastifyReply, outcome: Outcome, journey: Journey, card?: OutcomeCard) =>
      renderOutcome(request, reply, outcome, journey, card, support(request)),
    refusal(
      request: FastifyRequest,
      reply: FastifyReply,
      reason: string,
      journey: Journey,
      card?: OutcomeCard,
    ): FastifyReply | undefined {
      const outcome = outcomeFor(reason, journey);
      return outcome ? renderOutcome(request, reply, outcome, journey, card, support(request)) : undefined;
    },
  };
}

export type OutcomePages = ReturnType<typeof outcomePages>;
