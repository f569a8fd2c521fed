// Shared parts of the signing protocol: the card verifier and the per-purpose completion handlers.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChallengePurpose } from '../db/challenges-repository';
import type { CardVerifier, CertificateIdentity } from '../auth/certificate-identity';

/** What a journey does with a verified (or refused) signature, in the browser session that asked for it. */
export type SigningCompletion = (
  request: FastifyRequest,
  reply: FastifyReply,
  result:
    | { ok: true; identity: CertificateIdentity; nonce: string; expiresAt: Date }
    | { ok: false; reason: string; nonce: string; expiresAt: Date },
) => Promise<FastifyReply>;

declare module 'fastify' {
  interface FastifyInstance {
    cardVerifier: CardVerifier;
    signingCompletions: Map<ChallengePurpose, SigningCompletion>;
  }
}

export default fp<{ cardVerifier: CardVerifier }>(
  async (app, { cardVerifier }) => {
    app.decorate('cardVerifier', cardVerifier);
    app.decorate('signingCompletions', new Map<ChallengePurpose, SigningCompletion>());
  },
  { name: 'signing' },
);
