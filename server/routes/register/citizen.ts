// 新版自然人憑證註冊: the details form of the seed. Without JavaScript 送出 keeps the details (the password only as its
// argon2id hash, server-side) and continues to the certificate page; with JavaScript the page's own certificate part
// signs first and 送出 posts everything once, so the account is created by this POST.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { issueChallenge } from '../../auth/challenges';
import { parseSigningToken } from '../../auth/signing-token';
import { CITIZEN_CATEGORIES, isRegistrationCategory } from '../../forms/category';
import { toErrorList, type ErrorListItem } from '../../forms/errors';
import { taiwanDate } from '../../taiwan-time';
import {
  KEPT_FIELDS,
  validateCitizenIdNumber,
  validateRegistrationDetails,
  type RegistrationValues,
} from '../../forms/registration';
import { draftFrom } from '../../registration/draft';
import { registerSignedDetails } from '../../registration/transaction';
import { categoryItems } from './chooser';
import { reasonMessage, refusalStatus, signerReferrer, valuesFromDraft } from './shared';
import { answerCheck, type CheckAnswer, type CheckLimiter } from './check';
import { outcomePages } from '../signing/outcome';

const EMPTY_VALUES: RegistrationValues = {
  category: '',
  name: '',
  idNumber: '',
  birthDate: '',
  phone: '',
  address: '',
  email1: '',
  email2: '',
  consent: '',
};

/** A form field as a string; a field posted twice counts once. */
export function formField(body: unknown, name: string): string {
  if (!body || typeof body !== 'object') return '';
  const v = (body as Record<string, unknown>)[name];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : '';
}

function keptValues(body: unknown): RegistrationValues {
  return Object.fromEntries(KEPT_FIELDS.map((f) => [f, formField(body, f)])) as RegistrationValues;
}

export interface CitizenFormState {
  status?: number;
  values?: RegistrationValues;
  errors?: ErrorListItem[];
  check?: CheckAnswer;
}

const citizen: FastifyPluginAsync<{ config: Config; checkLimit: CheckLimiter }> = async (
  app,
  { config, checkLimit },
) => {
  const outcomes = outcomePages(config);
  async function render(request: FastifyRequest, reply: FastifyReply, state: CitizenFormState = {}) {
    // A fresh challenge for the JavaScript path's certificate part on every rendering (single use, five minutes).
    const challenge = await issueChallenge(app.db, {
      purpose: 'register',
      origin: config.publicOrigin,
      sessionId: request.session.sessionId,
      now: app.now(),
    });
    // Writing to the session makes sure it is stored, so the challenge's session is this browser's.
    request.session.set('signingNonce', challenge.nonce);
    const t = request.t;
    const title = t('register.citizen.title');
    signerReferrer(reply);
    // The one-page form's certificate part has the readiness box, which frames the local signer's page.
    reply.allowSignerFrame();
    return reply.code(state.status ?? 200).page('register/citizen', {
      pageTitle: title,
      breadcrumb: [{ label: t('register.chooser.title'), href: '/register' }, { label: title }],
      categories: categoryItems(request, CITIZEN_CATEGORIES),
      values: state.values ?? EMPTY_VALUES,
      errors: state.errors ?? [],
      check: state.check,
      challenge,
      signerAction: `${config.signerUrl}/nojs/sign`,
      returnUrl: `${config.publicOrigin}/signing/callback`,
    });
  }

  app.get<{ Querystring: { category?: string; edit?: string } }>('/register/citizen', async (request, reply) => {
    const category = typeof request.query.category === 'string' ? request.query.category : '';
    if (category && isRegistrationCategory(category) && !(CITIZEN_CATEGORIES as readonly string[]).includes(category)) {
      return reply.redirect(`/register/business?category=${category}`, 303);
    }
    const draft = request.session.registrationDraft;
    // 修改基本資料 from a later step brings the kept details back (never the password); otherwise the form starts empty.
    if (request.query.edit === '1' && draft) return render(request, reply, { values: valuesFromDraft(draft) });
    const chosen = (CITIZEN_CATEGORIES as readonly string[]).includes(category) ? category : '';
    return render(request, reply, { values: { ...EMPTY_VALUES, category: chosen } });
  });

  app.post('/register/citizen', { config: { rateLimit: { max: 30, timeWindow: 60_000 } } }, async (request, reply) => {
    const body = request.body;
    const t = request.t;

    // 檢核是否存在 without JavaScript: the same form again, values kept, with the answer at the field.
    if (formField(body, 'action') === 'check') {
      const values = keptValues(body);
      const id = validateCitizenIdNumber(values.idNumber);
      if (!id.ok) {
        return render(request, reply, {
          status: 400,
          values,
          errors: toErrorList([{ field: 'idNumber', code: id.error }], t),
        });
      }
      const answer = await answerCheck(app, request, checkLimit, id.value.value);
      return render(request, reply, { status: answer.status === 'limited' ? 429 : 200, values, check: answer });
    }

    const now = app.now();
    const result = validateRegistrationDetails(body, { today: taiwanDate(now) });
    if (!result.ok) {
      return render(request, reply, { status: 400, values: result.values, errors: toErrorList(result.errors, t) });
    }
    const details = result.value;

    // Without a signature this is the first of the no-JS steps: keep the details, then the certificate page.
    if (formField(body, 'signature').trim() === '') {
      request.session.registrationDraft = await draftFrom(details);
      request.session.registrationCard = undefined;
      request.session.registrationError = undefined;
      return reply.redirect('/register/citizen/certificate', 303);
    }

    // The JavaScript path: same-site, so the challenge is checked against this session at once, in the one
    // transaction that writes the account (see registerSignedDetails).
    const refuse = (reason: string) => {
      request.log.info({ reason }, 'registration refused');
      const page = outcomes.refusal(request, reply, reason, 'register');
      if (page) return page;
      return render(request, reply, {
        status: refusalStatus(reason),
        values: keptValues(body),
        errors: [{ href: '#pin', text: reasonMessage(request, reason) }],
      });
    };
    const token = parseSigningToken(body);
    if (!token) return refuse('token_malformed');
    const draft = await draftFrom(details);
    const outcome = await registerSignedDetails(app.db, app.cardVerifier, draft, token, {
      sessionId: request.session.sessionId,
      now,
      lang: request.lang,
    });
    if (!outcome.ok) {
      if (outcome.detail)
        request.log.info({ reason: outcome.reason, detail: outcome.detail }, 'registration signature refused');
      return refuse(outcome.reason);
    }
    request.session.registrationDraft = undefined;
    request.session.registrationCard = undefined;
    request.session.registrationReceipt = outcome.receipt;
    // After the commit, in the background: the mail relay never holds up or undoes the registration.
    if (outcome.notificationId !== undefined) app.notifier.dispatch(outcome.notificationId);
    request.log.info({ accountId: outcome.accountId, resubmitted: outcome.resubmitted }, 'account registered');
    return reply.redirect('/register/citizen/done', 303);
  });
};

export default citizen;
