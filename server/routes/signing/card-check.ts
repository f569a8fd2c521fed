// POST /signing/card-check: the page script asks about the card it has just loaded, before 送出 (JSON answer).
//   ok        the card is good for this page: its holder and card number, and a note for a renewed card;
//   outcome   a refusal that is not the user's fault (revoked, already registered, account under review …): its
//             words and next steps, as the outcome page would show them;
//   mismatch  the card does not fit the details typed (registration): fix the details, the signature still serves;
//   refused   anything else (a signature that does not verify, the encryption certificate, a lapsed challenge):
//             load the card again.
// Same-site with the session and CSRF token, rate-limited; the challenge is not consumed (server/auth/card-check.ts).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { parseSigningToken } from '../../auth/signing-token';
import { assessCard, verifyLoadedCard, type RegistrationApplicant } from '../../auth/card-check';
import { outcomeFor, type Journey, type Outcome } from '../../auth/outcomes';
import type { CertificateIdentity } from '../../auth/certificate-identity';
import type { Challenge, ChallengePurpose } from '../../db/challenges-repository';
import type { Applicant } from '../../registration/binding-rules';
import { validateCitizenCategory } from '../../forms/category';
import { validateName } from '../../forms/name';
import { validateCitizenIdNumber } from '../../forms/registration';
import { reasonMessage } from '../register/shared';
import { outcomePages, type Audience } from './outcome';

const JOURNEYS: Record<ChallengePurpose, Journey> = {
  login: 'login',
  rebind: 'login',
  register: 'register',
  'password-reset': 'recover',
  unlock: 'recover',
};

/**
 * Who registers with this challenge: the company of the organisation certificate page that issued it, or the citizen
 * of the kept draft, or of the one-page form's fields when each one is valid.
 */
function registeringWith(request: FastifyRequest, challenge: Challenge): RegistrationApplicant | undefined {
  const organisation = request.session.organisationRegistration;
  if (organisation?.nonce === challenge.nonce)
    return { kind: 'organisation', category: organisation.category, certificate: organisation.certificate };
  const applicant = citizenApplicantOf(request);
  return applicant && { kind: 'citizen', applicant };
}

/** A company's or agency's page issued the challenge: the next steps are worded for its certificate. */
function audienceOfChallenge(request: FastifyRequest, challenge: Challenge): Audience | undefined {
  const { organisationRegistration, organisationLoginNonce } = request.session;
  const theirs = organisationRegistration?.nonce === challenge.nonce || organisationLoginNonce === challenge.nonce;
  return theirs ? 'organisation' : undefined;
}

/** A citizen applicant: the kept draft, or the fields of the one-page form when each one is valid. */
function citizenApplicantOf(request: FastifyRequest): Applicant | undefined {
  const draft = request.session.registrationDraft;
  if (draft) return draft;
  const body = (request.body ?? {}) as Record<string, unknown>;
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
  const category = validateCitizenCategory(text('category'));
  const name = validateName(text('name'));
  const idNumber = validateCitizenIdNumber(text('idNumber'));
  if (!category.ok || !name.ok || !idNumber.ok) return undefined;
  return { category: category.value, name: name.value, idNumber: idNumber.value.value };
}

const cardCheck: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  const outcomes = outcomePages(config);

  app.post(
    '/signing/card-check',
    { config: { rateLimit: { max: 30, timeWindow: 60_000 } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const t = request.t;
      // The words the script places; it has none of its own.
      const labels = {
        holder: t('readiness.check.holder'),
        cardSerial: t('readiness.check.cardSerial'),
        validUntil: t('readiness.check.validUntil'),
        otherCard: t('readiness.check.otherCard'),
      };
      const outcomeAnswer = (outcome: Outcome, challenge: Challenge, card?: CertificateIdentity) => ({
        status: 'outcome',
        ...outcomes.view(request, outcome, card, audienceOfChallenge(request, challenge)),
        hint: t('outcome.notYourFault'),
        nextHeading: t('outcome.nextHeading'),
        labels,
      });
      const refused = (reason: string, status = 200) =>
        reply.code(status).send({ status: 'refused', reason, message: reasonMessage(request, reason) });
      const token = parseSigningToken(request.body);
      if (!token) return refused('token_malformed', 400);
      const loaded = await verifyLoadedCard(app.db, app.cardVerifier, token, {
        sessionId: request.session.sessionId,
        now: app.now(),
      });
      if (!loaded.ok) {
        request.log.info({ reason: loaded.reason, detail: loaded.detail }, 'card check: card refused');
        const outcome = loaded.challenge && outcomeFor(loaded.reason, JOURNEYS[loaded.challenge.purpose]);
        if (outcome) return reply.send(outcomeAnswer(outcome, loaded.challenge!));
        return refused(loaded.reason);
      }
      const journey = JOURNEYS[loaded.challenge.purpose];
      const { identity, challenge } = loaded;
      const card = {
        holder: identity.subjectCn,
        cardSerial: identity.cardSerial,
        validUntil: identity.notAfter.slice(0, 10),
      };
      const assessment = await assessCard(
        app.db,
        challenge.purpose,
        identity,
        challenge.purpose === 'register' ? registeringWith(request, challenge) : undefined,
      );
      if (!assessment.ok) {
        request.log.info({ reason: assessment.reason, purpose: challenge.purpose }, 'card check: refusal ahead');
        const outcome = outcomeFor(assessment.reason, journey);
        if (outcome) return reply.send({ ...outcomeAnswer(outcome, challenge, identity), ...card });
        if (assessment.reason === 'id_last4_mismatch' || assessment.reason === 'name_mismatch') {
          const message = reasonMessage(request, assessment.reason);
          return reply.send({ status: 'mismatch', ...card, reason: assessment.reason, message, labels });
        }
        return refused(assessment.reason);
      }
      return reply.send({
        status: 'ok',
        ...card,
        labels,
        message: t('readiness.check.ok', { holder: identity.subjectCn }),
        note: assessment.renewal ? t('readiness.check.renewal') : undefined,
      });
    },
  );
};

export default cardCheck;
