// 忘記密碼 and 解除密碼登入鎖定, proven with the bound card through the certificate login's own steps: PIN碼 ①,
// 載入憑証 ②, 確定 ③ (without JavaScript, on the signer's page), 送出 ④. Then a new password (忘記密碼), or the
// lockout lifted (解除鎖定). The services are server/auth/card-recovery.ts; this file holds the pages.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { chosenAccount, renderAccountChoice, type AccountChoiceWords } from './account-choice';
import { issueChallenge } from '../../auth/challenges';
import { parseSigningToken, verifySignedChallenge } from '../../auth/signing-token';
import { isStillVerified, recheckCard, verifiedCard, type VerifiedCard } from '../../auth/verified-card';
import {
  recoverableAccount,
  resetPasswordWithCard,
  unlockWithCard,
  type RecoveryIntent,
} from '../../auth/card-recovery';
import { outcomeFor } from '../../auth/outcomes';
import { hashPassword } from '../../auth/passwords';
import { accountsRepository, type Account } from '../../db/accounts-repository';
import { isOrganisationCategory } from '../../registration/organisation-rules';
import { passwordRuleFailures, validatePasswordConfirm } from '../../forms/password';
import { toErrorList, type FieldErrorCode } from '../../forms/errors';
import { displayAccountId } from '../../mask';
import { outcomePages } from '../signing/outcome';

declare module 'fastify' {
  interface Session {
    /** A card proven for 忘記密碼 or 解除鎖定, waiting for its last step while the challenge it signed lives. */
    pendingRecovery?: VerifiedCard & { accountId: number; intent: RecoveryIntent };
    /** A proven company card bound to its accounts in several categories, waiting for the choice of one. */
    pendingRecoveryChoice?: VerifiedCard & { accountIds: number[]; intent: RecoveryIntent };
    /** A refusal to show once on the start page of the intent. */
    recoveryError?: string;
    /** What the done page reports. */
    recoveryDone?: { intent: RecoveryIntent; idMasked: string; wasLocked: boolean };
  }
}

type PendingRecovery = NonNullable<FastifyRequest['session']['pendingRecovery']>;

/** Each intent's start page, its last step and its done page. */
const PATHS: Record<RecoveryIntent, { start: string; choose: string; next: string; done: string; titleKey: string }> = {
  'password-reset': {
    start: '/login/forgot-password',
    choose: '/login/forgot-password/choose',
    next: '/login/forgot-password/new',
    done: '/login/forgot-password/done',
    titleKey: 'recovery.forgotTitle',
  },
  unlock: {
    start: '/login/unlock',
    choose: '/login/unlock/choose',
    next: '/login/unlock/confirm',
    done: '/login/unlock/done',
    titleKey: 'recovery.unlockTitle',
  },
};
const INTENTS = Object.keys(PATHS) as RecoveryIntent[];

const recover: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const outcomes = outcomePages(config);

  const breadcrumb = (request: FastifyRequest, title: string) => [
    { label: request.t('login.title'), href: '/login' },
    { label: request.t('login.passwordTitle'), href: '/login/password' },
    { label: title },
  ];

  async function renderStart(request: FastifyRequest, reply: FastifyReply, intent: RecoveryIntent, error?: string) {
    const challenge = await issueChallenge(app.db, {
      purpose: intent,
      origin: config.publicOrigin,
      sessionId: request.session.sessionId,
      now: app.now(),
    });
    request.session.set('signingNonce', challenge.nonce);
    const reason = error ?? request.session.recoveryError;
    request.session.recoveryError = undefined;
    const paths = PATHS[intent];
    const title = request.t(paths.titleKey);
    reply.allowSignerFrame();
    return reply.code(error ? 400 : 200).page('login/recover', {
      pageTitle: title,
      breadcrumb: breadcrumb(request, title),
      intent,
      intro: request.t(intent === 'unlock' ? 'recovery.unlockIntro' : 'recovery.forgotIntro'),
      challenge,
      action: paths.start,
      signerAction: `${config.signerUrl}/nojs/sign`,
      returnUrl: `${config.publicOrigin}/signing/callback`,
      backUrl: `${config.publicOrigin}${paths.start}`,
      errors: reason ? [{ href: '#pin', text: request.t(`signing.reasons.${reason}`) }] : [],
    });
  }

  /**
   * A verified card: the account it may recover, then the intent's last step. With JavaScript 送出 ④ was pressed on
   * the start page, so an unlock happens now; without it, the signer's 確定 ③ leads to the page with 送出 ④.
   */
  async function proceed(
    request: FastifyRequest,
    reply: FastifyReply,
    card: VerifiedCard,
    intent: RecoveryIntent,
    submitted: boolean,
  ) {
    const recoverable = await recoverableAccount(app.db, card.identity);
    if (!recoverable.ok) {
      request.log.info({ reason: recoverable.reason, intent }, 'card recovery refused');
      return outcomes.render(request, reply, outcomeFor(recoverable.reason, 'recover')!, 'recover', card.identity);
    }
    if (recoverable.kind === 'choose') {
      request.session.pendingRecovery = undefined;
      request.session.pendingRecoveryChoice = { ...card, accountIds: recoverable.accounts.map((a) => a.id), intent };
      return reply.redirect(PATHS[intent].choose, 303);
    }
    const pending: PendingRecovery = { ...card, accountId: recoverable.account.id, intent };
    request.session.pendingRecovery = pending;
    if (intent === 'unlock' && submitted) return unlock(request, reply, pending);
    return reply.redirect(PATHS[intent].next, 303);
  }

  /** The proven card while its challenge lives, for this intent; else back to the start with the reason. */
  function pendingFor(request: FastifyRequest, intent: RecoveryIntent) {
    const pending = request.session.pendingRecovery;
    if (!pending || pending.intent !== intent) return undefined;
    if (isStillVerified(pending, app.now())) return pending;
    request.session.pendingRecovery = undefined;
    request.session.recoveryError = 'challenge_expired';
    return undefined;
  }

  /**
   * Right before the change: the card once more (revoked since it signed: nothing changes) and the account's state
   * (suspended meanwhile: nothing changes). Returns the account, or the reply already sent.
   */
  async function stillRecoverable(request: FastifyRequest, reply: FastifyReply, pending: PendingRecovery) {
    const recheck = await recheckCard(app.cardVerifier, pending.identity, app.now());
    const found = recheck.ok ? await recoverableAccount(app.db, pending.identity, pending.accountId) : undefined;
    // The same account as at the proof (or the holder's choice): a card unbound meanwhile recovers nothing.
    if (found?.ok && found.kind === 'account' && found.account.id === pending.accountId)
      return { account: found.account };
    const refusal = !recheck.ok ? recheck.reason : found && !found.ok ? found.reason : 'unknown_certificate';
    request.session.pendingRecovery = undefined;
    const page = outcomes.refusal(request, reply, refusal, 'recover', pending.identity);
    if (page) return { reply: page };
    request.session.recoveryError = refusal;
    return { reply: reply.redirect(PATHS[pending.intent].start, 303) };
  }

  for (const intent of INTENTS) {
    const paths = PATHS[intent];

    // Without JavaScript: the signer's 確定 ③ comes back through /signing/callback to here, in this browser's session.
    app.signingCompletions.set(intent, async (request, reply, result) => {
      if (!result.ok) {
        const page = outcomes.refusal(request, reply, result.reason, 'recover');
        if (page) return page;
        request.session.recoveryError = result.reason;
        return reply.redirect(paths.start, 303);
      }
      return proceed(request, reply, verifiedCard(result.identity, result), intent, false);
    });

    app.get(paths.start, async (request, reply) => renderStart(request, reply, intent));

    // With JavaScript: the page script signed on the page, and 送出 ④ posts the signature here.
    app.post(paths.start, { config: { rateLimit: { max: 30, timeWindow: 60_000 } } }, async (request, reply) => {
      const token = parseSigningToken(request.body);
      if (!token) return renderStart(request, reply, intent, 'token_malformed');
      const verified = await verifySignedChallenge(app.db, app.cardVerifier, token, {
        sessionId: request.session.sessionId,
        purpose: intent,
        now: app.now(),
      });
      if (!verified.ok) {
        request.log.info(
          { reason: verified.reason, detail: verified.detail, intent },
          'card recovery signature refused',
        );
        return (
          outcomes.refusal(request, reply, verified.reason, 'recover') ??
          renderStart(request, reply, intent, verified.reason)
        );
      }
      return proceed(request, reply, verifiedCard(verified.identity, verified.challenge), intent, true);
    });

    // A company's card bound to its accounts in several categories: which account's password, while the challenge lives.
    app.get(paths.choose, async (request, reply) => {
      const pending = choiceFor(request, intent);
      if (!pending) return reply.redirect(paths.start, 303);
      return renderAccountChoice(app.db, request, reply, pending, choiceWords(request, intent));
    });

    app.post<{ Body: { accountId?: string } }>(paths.choose, async (request, reply) => {
      const pending = choiceFor(request, intent);
      if (!pending) return reply.redirect(paths.start, 303);
      const accountId = chosenAccount(pending, request.body);
      if (accountId === undefined)
        return renderAccountChoice(app.db, request, reply, pending, choiceWords(request, intent), true);
      const { accountIds: _, ...card } = pending;
      request.session.pendingRecoveryChoice = undefined;
      // The chosen account as a single bound one: its state and password asked about now, and again at the change.
      const recoverable = await recoverableAccount(app.db, card.identity, accountId);
      if (!recoverable.ok || recoverable.kind !== 'account') {
        const reason = recoverable.ok ? 'unknown_certificate' : recoverable.reason;
        request.log.info({ reason, intent }, 'card recovery refused for the chosen account');
        return outcomes.render(request, reply, outcomeFor(reason, 'recover')!, 'recover', card.identity);
      }
      request.session.pendingRecovery = { ...card, accountId: recoverable.account.id };
      return reply.redirect(paths.next, 303);
    });

    app.get(paths.done, async (request, reply) => {
      const done = request.session.recoveryDone;
      if (!done || done.intent !== intent) return reply.redirect(paths.start, 303);
      const title = request.t(intent === 'unlock' ? 'recovery.unlockDoneTitle' : 'recovery.resetDoneTitle');
      const text =
        intent === 'password-reset'
          ? request.t('recovery.resetDoneText', { id: done.idMasked })
          : request.t(done.wasLocked ? 'recovery.unlockDoneText' : 'recovery.unlockNothing', { id: done.idMasked });
      return reply.page('login/recover-done', {
        pageTitle: title,
        breadcrumb: breadcrumb(request, title),
        intent,
        text,
      });
    });
  }

  /** The proven card waiting for the choice of an account, for this intent, while its challenge lives. */
  function choiceFor(request: FastifyRequest, intent: RecoveryIntent) {
    const pending = request.session.pendingRecoveryChoice;
    if (!pending || pending.intent !== intent) return undefined;
    if (isStillVerified(pending, app.now())) return pending;
    request.session.pendingRecoveryChoice = undefined;
    request.session.recoveryError = 'challenge_expired';
    return undefined;
  }

  /** The choice of the account whose password the card resets or unlocks. */
  function choiceWords(request: FastifyRequest, intent: RecoveryIntent): AccountChoiceWords {
    return {
      title: request.t('recovery.chooseTitle'),
      breadcrumb: breadcrumb(request, request.t(PATHS[intent].titleKey)),
      intro: request.t(intent === 'unlock' ? 'recovery.chooseIntroUnlock' : 'recovery.chooseIntroReset'),
      legend: request.t('recovery.chooseLegend'),
      submit: request.t('recovery.chooseSubmit'),
      required: request.t('recovery.errors.choiceRequired'),
      action: PATHS[intent].choose,
    };
  }

  /** How the pages name an account: a company's by its 統一編號 and category (it may have one per category). */
  function accountName(request: FastifyRequest, account: Account): string {
    const id = displayAccountId(account.idNumber);
    return isOrganisationCategory(account.category)
      ? request.t('recovery.accountWithCategory', {
          id,
          category: request.t(`validation.categories.${account.category}`),
        })
      : id;
  }

  /** The page of the proven card's last step: who it is, which account. */
  async function lastStepData(request: FastifyRequest, pending: PendingRecovery) {
    const account = await accountsRepository(app.db).findById(pending.accountId);
    return { identity: pending.identity, maskedId: account ? accountName(request, account) : '' };
  }

  // 忘記密碼's last step: the new password, every broken rule at once (as at registration).
  async function renderNewPassword(
    request: FastifyRequest,
    reply: FastifyReply,
    pending: PendingRecovery,
    status = 200,
    errors: FieldErrorCode[] = [],
  ) {
    const title = request.t('recovery.newPasswordTitle');
    return reply.code(status).page('login/recover-password', {
      pageTitle: title,
      breadcrumb: breadcrumb(request, title),
      ...(await lastStepData(request, pending)),
      errors: toErrorList(errors, request.t),
    });
  }

  app.get(PATHS['password-reset'].next, async (request, reply) => {
    const pending = pendingFor(request, 'password-reset');
    if (!pending) return reply.redirect(PATHS['password-reset'].start, 303);
    return renderNewPassword(request, reply, pending);
  });

  app.post<{ Body: Record<string, string | undefined> }>(
    PATHS['password-reset'].next,
    { config: { rateLimit: { max: 10, timeWindow: 60_000 } } },
    async (request, reply) => {
      const pending = pendingFor(request, 'password-reset');
      if (!pending) return reply.redirect(PATHS['password-reset'].start, 303);
      const account = await accountsRepository(app.db).findById(pending.accountId);
      if (!account) return reply.redirect(PATHS['password-reset'].start, 303);
      const password = String(request.body?.password ?? '');
      const confirm = String(request.body?.passwordConfirm ?? '');
      const errors: FieldErrorCode[] = passwordRuleFailures(password, account.idNumber).map((code) => ({
        field: 'password',
        code,
      }));
      const again = validatePasswordConfirm(password, confirm);
      if (!again.ok) errors.push({ field: 'passwordConfirm', code: again.error });
      if (errors.length) return renderNewPassword(request, reply, pending, 400, errors);

      const checked = await stillRecoverable(request, reply, pending);
      if (checked.reply) return checked.reply;
      const now = app.now();
      await resetPasswordWithCard(app.db, app.lockout, checked.account, pending, await hashPassword(password), {
        ip: request.ip,
        now,
      });
      request.session.pendingRecovery = undefined;
      request.session.recoveryDone = {
        intent: 'password-reset',
        idMasked: accountName(request, checked.account),
        wasLocked: false,
      };
      request.log.info({ accountId: checked.account.id }, 'password reset with the card');
      return reply.redirect(PATHS['password-reset'].done, 303);
    },
  );

  // 解除鎖定's last step without JavaScript: 送出 ④ after the signer's 確定 ③ (with it, 送出 ④ was already pressed).
  app.get(PATHS.unlock.next, async (request, reply) => {
    const pending = pendingFor(request, 'unlock');
    if (!pending) return reply.redirect(PATHS.unlock.start, 303);
    const title = request.t('recovery.unlockTitle');
    return reply.page('login/recover-unlock', {
      pageTitle: title,
      breadcrumb: breadcrumb(request, title),
      ...(await lastStepData(request, pending)),
    });
  });

  app.post(PATHS.unlock.next, { config: { rateLimit: { max: 30, timeWindow: 60_000 } } }, async (request, reply) => {
    const pending = pendingFor(request, 'unlock');
    if (!pending) return reply.redirect(PATHS.unlock.start, 303);
    return unlock(request, reply, pending);
  });

  /** 解除鎖定: every count and lock of the account's password ends, audited; then the done page. */
  async function unlock(request: FastifyRequest, reply: FastifyReply, pending: PendingRecovery) {
    const checked = await stillRecoverable(request, reply, pending);
    if (checked.reply) return checked.reply;
    const before = await unlockWithCard(app.db, app.lockout, checked.account, pending, {
      ip: request.ip,
      now: app.now(),
    });
    request.session.pendingRecovery = undefined;
    request.session.recoveryDone = {
      intent: 'unlock',
      idMasked: accountName(request, checked.account),
      wasLocked: before.lockedUntil !== null,
    };
    request.log.info(
      { accountId: checked.account.id, wasLocked: before.lockedUntil !== null },
      'unlocked with the card',
    );
    return reply.redirect(PATHS.unlock.done, 303);
  }
};

export default recover;
