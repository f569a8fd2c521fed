// /admin/accounts/:id: the account with its ID masked, bound certificates and their revocation state, logins, audit trail.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { accountsRepository, type Account } from '../../db/accounts-repository';
import { certificatesRepository } from '../../db/certificates-repository';
import { loginAttemptsRepository } from '../../db/login-attempts-repository';
import { auditRepository } from '../../db/audit-repository';
import { notificationsRepository, type Notification } from '../../db/notifications-repository';
import { DUE_POLICY } from '../../notify/notifier';
import type { Translate } from '../../plugins/i18n';
import { findBindingEvidence } from './binding-evidence';
import { WARNING_ACTIONS } from './action-form';
import { actorDisplay, auditActionLabel, loginOutcomeLabel, unboundReasonLabel } from './labels';
import type { FieldError } from '../../plugins/views';
import { ACCOUNT_ACTIONS, actorRefusal, isLocked, transitionRefusal } from '../../admin/account-rules';
import { organisationAccountsRepository } from '../../db/organisation-accounts-repository';
import { formatTaiwanTime } from '../../taiwan-time';
import { displayAccountId } from '../../mask';
import { revocationStateFor } from '../../admin/revocation-state';
import { operatorOf, parseId, takeFlash, type Flash } from './shared';

export interface DetailOptions {
  /** Shown instead of the masked ID: an admin asked for it with a reason (already audited). */
  fullIdNumber?: string;
  flash?: Flash;
  errors?: FieldError[];
}

/** Renders the detail page; used by the GET and by the full-ID POST. */
export async function renderAccountDetail(
  request: FastifyRequest,
  reply: FastifyReply,
  account: Account,
  options: DetailOptions = {},
): Promise<FastifyReply> {
  const t = request.t;
  const db = request.server.db;
  const operator = operatorOf(request);
  const now = request.server.now();
  const [certificates, logins, events, lock, citizenEvidence, organisation, mails] = await Promise.all([
    certificatesRepository(db).listForAccount(account.id),
    loginAttemptsRepository(db).listForAccount(account.id, 20),
    auditRepository(db).listForAccount(account.id, 50),
    request.server.lockout.stateOf(db, account.idNumber, now),
    findBindingEvidence(request, account),
    organisationAccountsRepository(db).findByAccountId(account.id),
    notificationsRepository(db).listForAccount(account.id, 20),
  ]);
  // A company's or agency's card proves its 統一編號 (機關代碼), not a holder's ID number: no citizen evidence for it.
  const evidence = organisation ? undefined : citizenEvidence;
  const certificateName = certificates.find((c) => c.unboundAt === null)?.subjectCn ?? certificates[0]?.subjectCn;
  const refusal = actorRefusal(operator, account);
  const actions = refusal
    ? []
    : ACCOUNT_ACTIONS.filter((action) => !transitionRefusal(action, account, lock, now)).map((action) => ({
        href: `/admin/accounts/${account.id}/${action}`,
        label: t(`admin.actions.${action}.button`),
        warning: WARNING_ACTIONS.has(action),
      }));
  const certificateRows = await Promise.all(
    certificates.map(async (cert) => {
      const bound = cert.unboundAt === null;
      const validity = cert.notAfter < now ? 'expired' : cert.notBefore > now ? 'notYetValid' : 'valid';
      return {
        id: cert.id,
        subjectCn: cert.subjectCn,
        issuerDn: cert.issuerDn,
        serialHex: cert.serialHex,
        fingerprint: cert.fingerprintSha256,
        notBefore: formatTaiwanTime(cert.notBefore),
        notAfter: formatTaiwanTime(cert.notAfter),
        validity: t(`admin.detail.validity.${validity}`),
        revocation: t(`admin.detail.revocation.${await revocationStateFor(request.server.cardVerifier, cert, now)}`),
        bound,
        boundAt: formatTaiwanTime(cert.boundAt),
        unboundAt: formatTaiwanTime(cert.unboundAt),
        unboundReason: cert.unboundReason ? unboundReasonLabel(t, cert.unboundReason) : '',
        unbindHref: bound && !refusal ? `/admin/accounts/${account.id}/certificates/${cert.id}/unbind` : undefined,
      };
    }),
  );
  return reply.page('admin/account', {
    pageTitle: t('admin.detail.title', { name: account.name }),
    breadcrumb: [
      { label: t('admin.dashboard.title'), href: '/admin' },
      { label: t('admin.list.title'), href: '/admin/accounts' },
      { label: account.name },
    ],
    flash: options.flash,
    errors: options.errors,
    account: {
      id: account.id,
      name: account.name,
      idNumber: options.fullIdNumber ?? displayAccountId(account.idNumber),
      fullIdShown: options.fullIdNumber !== undefined,
      category: t(`admin.category.${account.category}`),
      role: t(`admin.role.${account.role}`),
      status: account.status,
      statusLabel: t(`admin.status.${account.status}`),
      birthDate: account.birthDate ?? '',
      phone: account.phone ?? '',
      address: account.address ?? '',
      email1: account.email1 ?? '',
      email2: account.email2 ?? '',
      locked: isLocked(lock, now),
      accountLockedUntil: formatTaiwanTime(lock.accountLockedUntil),
      lockedUntil: formatTaiwanTime(lock.lockedUntil),
      lockedSources: lock.lockedSources,
      failedLogins: lock.failures,
      createdAt: formatTaiwanTime(account.createdAt),
      updatedAt: formatTaiwanTime(account.updatedAt),
      reference: account.reference ?? '',
      lang: t(`admin.detail.langs.${account.lang}`),
    },
    mails: mails.map((mail) => mailView(t, mail)),
    evidence,
    organisation: organisation && {
      ...organisation,
      idLabel: t(
        `admin.detail.organisation.${organisation.organisationIdKind === 'agency_code' ? 'agencyCode' : 'organisationId'}`,
      ),
      certificateLabel: t(`admin.detail.organisation.certificates.${organisation.certificateKind}`),
      certificateName: certificateName ?? '',
      nameDiffers: certificateName !== undefined && certificateName !== organisation.organisationName,
    },
    refusal: refusal ? t(`admin.refusal.${refusal}`) : undefined,
    actions,
    canShowFullId: operator.role === 'admin' && options.fullIdNumber === undefined,
    certificates: certificateRows,
    logins: logins.map((l) => ({
      at: formatTaiwanTime(l.at),
      method: t(`admin.detail.method.${l.method}`),
      success: l.success,
      outcome: l.outcome,
      outcomeLabel: loginOutcomeLabel(t, l.outcome),
      ip: l.ip ?? '',
    })),
    events: events.map((e) => ({
      id: e.id,
      at: formatTaiwanTime(e.at),
      actor: actorDisplay(t, e.actorLabel),
      action: e.action,
      actionLabel: auditActionLabel(t, e.action),
      reason: e.reason ?? '',
    })),
  });
}

/** One e-mail notice as the operator sees it: what, when, and whether it went (with the relay's error if not). */
function mailView(t: Translate, mail: Notification) {
  return {
    id: mail.id,
    at: formatTaiwanTime(mail.createdAt),
    kind: t(`admin.mailKinds.${mail.kind}`),
    status: mail.status,
    statusLabel: t(`admin.mailStatus.${mail.status}`),
    sentAt: formatTaiwanTime(mail.sentAt),
    attempts: mail.attempts,
    error: mail.lastError ?? '',
    givenUp: mail.status === 'failed' && mail.attempts >= DUE_POLICY.maxAttempts,
  };
}

export async function findAccountOr404(request: FastifyRequest, reply: FastifyReply): Promise<Account | undefined> {
  const id = parseId((request.params as { id?: string }).id);
  const account = id === undefined ? undefined : await accountsRepository(request.server.db).findById(id);
  if (!account) reply.callNotFound();
  return account;
}

const accountDetail: FastifyPluginAsync = async (app) => {
  app.get('/accounts/:id', async (request, reply) => {
    const account = await findAccountOr404(request, reply);
    if (!account) return reply;
    return renderAccountDetail(request, reply, account, { flash: takeFlash(request) });
  });
};

export default accountDetail;
