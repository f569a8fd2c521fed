// The no-JS return from the local signer (DESIGN.md §3.5). The signer's page posts cross-site, so the SameSite=Lax
// session cookie is not sent: verify here, record the result on the challenge, and hand the browser a one-time code
// whose GET (cookies sent) proves the result belongs to this browser's session before anything happens.
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { challengesRepository } from '../../db/challenges-repository';
import { parseSigningToken, verifySignedChallenge } from '../../auth/signing-token';

const signingCallback: FastifyPluginAsync = async (app) => {
  app.post(
    '/signing/callback',
    {
      config: { csrf: false, rateLimit: { max: 30, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const token = parseSigningToken(request.body);
      if (!token) return refuse('token_malformed');
      const now = app.now();
      const result = await verifySignedChallenge(app.db, app.cardVerifier, token, { sessionId: null, now });
      if (!result.challenge) return refuse(result.ok ? 'token_malformed' : result.reason);

      const code = randomBytes(32).toString('base64url');
      const recorded = result.ok ? { ok: true, identity: result.identity } : { ok: false, reason: result.reason };
      if (!result.ok) request.log.info({ reason: result.reason, detail: result.detail }, 'signature refused');
      await challengesRepository(app.db).recordResult(result.challenge.nonce, recorded, code);
      return reply.redirect(`/signing/complete?code=${encodeURIComponent(code)}`, 303);

      function refuse(reason: string) {
        request.log.info({ reason }, 'signing callback refused');
        return reply.code(400).page('signing/refused', {
          pageTitle: request.t('signing.refusedTitle'),
          message: request.t(`signing.reasons.${reason}`),
        });
      }
    },
  );

  app.get<{ Querystring: { code?: string } }>('/signing/complete', async (request, reply) => {
    const code = typeof request.query.code === 'string' ? request.query.code : '';
    const repo = challengesRepository(app.db);
    const now = app.now();
    const challenge = code ? await repo.complete(code, request.session.sessionId, now) : undefined;
    if (!challenge) {
      const known = code ? await repo.findByCompletionCode(code) : undefined;
      const reason = !known
        ? 'completion_unknown'
        : known.completedAt
          ? 'completion_used'
          : known.sessionId !== request.session.sessionId
            ? 'challenge_foreign_session'
            : 'challenge_expired';
      request.log.info({ reason }, 'signing completion refused');
      return reply.code(reason === 'challenge_foreign_session' ? 403 : 400).page('signing/refused', {
        pageTitle: request.t('signing.refusedTitle'),
        message: request.t(`signing.reasons.${reason}`),
      });
    }
    const handler = app.signingCompletions.get(challenge.purpose);
    if (!handler) return reply.callNotFound();
    const result = challenge.result as { ok: true; identity: never } | { ok: false; reason: string };
    return handler(request, reply, { ...result, nonce: challenge.nonce, expiresAt: challenge.expiresAt });
  });
};

export default signingCallback;
