// 檢核是否存在: whether an ID number already has an account. The answer says only 已註冊 or 可註冊, nothing else about
// the account, and both ways of asking (the no-JS button and the script's JSON request) share one rate limit.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { accountsRepository } from '../../db/accounts-repository';
import { validateCitizenIdNumber } from '../../forms/registration';
import { errorMessageKey } from '../../forms/errors';

/** What 檢核是否存在 tells, on the page (no JavaScript) or to the page script. */
export interface CheckAnswer {
  status: 'registered' | 'available' | 'limited';
  text: string;
}

export type CheckLimiter = ReturnType<FastifyInstance['createRateLimit']>;

/** Existence checks per client address and minute. */
export const CHECKS_PER_MINUTE = 10;

export async function answerCheck(
  app: FastifyInstance,
  request: FastifyRequest,
  limit: CheckLimiter,
  idNumber: string,
): Promise<CheckAnswer> {
  const verdict = await limit(request);
  if (!verdict.isAllowed && verdict.isExceeded) return { status: 'limited', text: request.t('register.check.limited') };
  const registered = await accountsRepository(app.db).existsByIdNumber(idNumber);
  return registered
    ? { status: 'registered', text: request.t('register.check.registered') }
    : { status: 'available', text: request.t('register.check.available') };
}

// A POST, not a GET with the number in the query string: ID numbers stay out of URLs, access logs and browser history.
const check: FastifyPluginAsync<{ checkLimit: CheckLimiter }> = async (app, { checkLimit }) => {
  app.post(
    '/register/citizen/check',
    {
      config: { rateLimit: { max: 60, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const raw = (request.body as Record<string, unknown> | undefined)?.idNumber;
      const id = validateCitizenIdNumber(typeof raw === 'string' ? raw : '');
      if (!id.ok) {
        return reply.code(400).send({ status: 'invalid', message: request.t(errorMessageKey('idNumber', id.error)) });
      }
      const answer = await answerCheck(app, request, checkLimit, id.value.value);
      return reply.code(answer.status === 'limited' ? 429 : 200).send({ status: answer.status, message: answer.text });
    },
  );
};

export default check;
