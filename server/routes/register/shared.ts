// What the registration pages share over HTTP: the session keys of the no-JS steps, the status and message of a
// refusal, the kept values of a re-rendered form, and the referrer rule of pages with a PIN form. The registration
// itself (rules, transaction) is server/registration/.
import { CONSENT_VALUE } from '../../forms/consent';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VerifiedCard } from '../../auth/verified-card';
import type { RegistrationValues } from '../../forms/registration';
import type { RegistrationDraft } from '../../registration/draft';
import type { RegistrationReceipt } from '../../registration/transaction';

declare module 'fastify' {
  interface Session {
    registrationDraft?: RegistrationDraft;
    /** A card verified by the no-JS round trip, waiting for 送出 on the confirm page. */
    registrationCard?: VerifiedCard;
    /** A refusal to show once on the certificate page (a signing or binding reason). */
    registrationError?: string;
    registrationReceipt?: RegistrationReceipt;
  }
}

/** 409 for "someone holds this already", 400 for the rest. */
export function refusalStatus(reason: string): number {
  return reason === 'id_already_registered' || reason === 'certificate_already_registered' ? 409 : 400;
}

/** The message for a signing, engine or binding reason; a reason without its own text gets the general one. */
export function reasonMessage(request: FastifyRequest, reason: string): string {
  for (const candidate of [reason, REASON_ALIASES[reason]]) {
    if (!candidate) continue;
    const key = `signing.reasons.${candidate}`;
    const text = request.t(key);
    if (text !== key) return text;
  }
  return request.t('register.errors.certificateRefused', { reason });
}

/** Engine reasons whose meaning on a MOICA card is plain: a leaf without digitalSignature is the card's encryption certificate. */
const REASON_ALIASES: Record<string, string | undefined> = { leaf_key_usage: 'encryption_certificate' };

/** Kept values for a re-rendered form from a draft (coming back to edit the details). */
export function valuesFromDraft(draft: RegistrationDraft): RegistrationValues {
  return {
    category: draft.category,
    name: draft.name,
    idNumber: draft.idNumber,
    birthDate: draft.birthDate,
    phone: draft.phone,
    address: draft.address,
    email1: draft.email1,
    email2: draft.email2 ?? '',
    // A draft exists only once the notice was agreed to.
    consent: CONSENT_VALUE,
  };
}

/**
 * Pages with a PIN form for the local signer send it their full address: the signer's error page (a wrong PIN) links
 * back to the page that posted, and the portal's default policy would give it only the origin. The address of these
 * pages holds nothing private, and the signer on 127.0.0.1 counts as a secure destination, so this is no downgrade.
 */
export function signerReferrer(reply: FastifyReply): void {
  reply.header('referrer-policy', 'no-referrer-when-downgrade');
}
