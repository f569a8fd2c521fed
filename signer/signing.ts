// One signature, checked in a fixed order before the card is touched: the caller's origin, the text,
// the algorithm, the challenge's own origin, the PIN's presence and format; then the card, under its lock.
import { isChallengeText, parseChallengeText, type ChallengeText } from './challenge-text.js';
import { createSignedData } from './cms.js';
import type { CertificateInfo } from './cert-info.js';
import { SignerError, toSignerError } from './errors.js';
import { KeyedMutex, OriginLimiter, type OriginLimits } from './limiter.js';
import type { OriginPolicy } from './origin-policy.js';
import type { Card, Slot, TokenBackend } from './tokens/types.js';

export const MAX_TBS_BYTES = 64 * 1024;
const PIN_FORMAT = /^[A-Za-z0-9]{6,8}$/;

export type SignatureType = 'PKCS1' | 'PKCS7';

export interface SignInput {
  /** The origin of the page asking (from Origin/Referer, or the popup's opener); null when unknown. */
  callerOrigin: string | null;
  tbs: Buffer;
  hashAlgorithm?: unknown;
  signatureType?: unknown;
  pin?: unknown;
  cardSerial?: unknown;
  /** PKCS7 only: leave the content out of the SignedData. */
  detached?: boolean;
}

export interface SignOutput {
  signature: Buffer;
  certificate: CertificateInfo;
  cardSerial: string;
  signatureType: SignatureType;
  /** The portal challenge that was signed, when the text was one. */
  challenge: ChallengeText | null;
}

export interface CardView extends Card {
  slotId: string;
  slotDescription: string;
  backend: 'pkcs12' | 'pkcs11';
}

function normalizeSignatureType(value: unknown): SignatureType | null {
  if (value === undefined || value === null || value === '') return 'PKCS1';
  if (typeof value !== 'string') return null;
  const upper = value.toUpperCase();
  return upper === 'PKCS1' || upper === 'PKCS7' ? upper : null;
}

function isSha256(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  return typeof value === 'string' && /^SHA-?256$/i.test(value);
}

export class SigningService {
  private readonly cardLocks = new KeyedMutex();
  /** Request rates and card operations, counted per calling origin (taken only after the origin is allowed). */
  readonly limiter: OriginLimiter;
  /**
   * The card "in the reader" when a request names none: with several soft cards (the demo) the user picks one on
   * the signer's own page, as one would insert a card. Unset: the first card.
   */
  insertedCard: string | null = null;

  constructor(
    readonly backends: TokenBackend[],
    readonly policy: OriginPolicy,
    limits: OriginLimits = { perSecond: 20, maxConcurrent: 4 },
  ) {
    this.limiter = new OriginLimiter(limits);
  }

  /** Every slot of every back end. No slot at all means no reader. */
  async slots(): Promise<Array<Slot & { backend: 'pkcs12' | 'pkcs11' }>> {
    const out: Array<Slot & { backend: 'pkcs12' | 'pkcs11' }> = [];
    for (const backend of this.backends) {
      for (const slot of await backend.listSlots()) out.push({ ...slot, backend: backend.kind });
    }
    return out;
  }

  async cards(): Promise<CardView[]> {
    return (await this.slots())
      .filter((slot) => slot.card !== null)
      .map((slot) => ({ ...(slot.card as Card), slotId: slot.id, slotDescription: slot.description, backend: slot.backend }));
  }

  /** Throws no_reader / no_card; picks the named card, else the first card. */
  private async chooseCard(cardSerial: unknown): Promise<{ card: CardView; backend: TokenBackend }> {
    const slots = await this.slots();
    if (slots.length === 0) throw new SignerError('no_reader');
    const cards = await this.cards();
    const wanted = typeof cardSerial === 'string' && cardSerial !== '' ? cardSerial : null;
    const card = wanted
      ? cards.find((c) => c.serial === wanted)
      : (cards.find((c) => c.serial === this.insertedCard) ?? cards[0]);
    if (!card) throw new SignerError('no_card');
    const backend = this.backends.find((b) => b.kind === card.backend) as TokenBackend;
    return { card, backend };
  }

  /** Checks that need no card, in order; returns the parsed challenge, if the text is one. */
  checkRequest(input: SignInput): { signatureType: SignatureType; challenge: ChallengeText | null } {
    if (!this.policy.isAllowed(input.callerOrigin)) throw new SignerError('site_not_trusted');
    if (input.tbs.length === 0) throw new SignerError('tbs_missing');
    if (input.tbs.length > MAX_TBS_BYTES) throw new SignerError('tbs_too_large');
    if (!isSha256(input.hashAlgorithm)) throw new SignerError('unsupported_algorithm');
    const signatureType = normalizeSignatureType(input.signatureType);
    if (!signatureType) throw new SignerError('unsupported_algorithm');
    let challenge: ChallengeText | null = null;
    const text = input.tbs.toString('utf8');
    if (isChallengeText(text)) {
      challenge = parseChallengeText(text);
      if (!challenge) throw new SignerError('bad_request', { message: 'malformed portal challenge' });
      // A challenge of one site must not be signed at another site's request (DESIGN.md §4).
      if (challenge.origin !== input.callerOrigin) throw new SignerError('site_not_trusted');
    }
    if (input.pin === undefined || input.pin === null || input.pin === '') throw new SignerError('no_pin');
    if (typeof input.pin !== 'string' || !PIN_FORMAT.test(input.pin)) throw new SignerError('bad_pin_format');
    return { signatureType, challenge };
  }

  async sign(input: SignInput): Promise<SignOutput> {
    const { signatureType, challenge } = this.checkRequest(input);
    // checkRequest has refused any origin off the allow-list, so only an allowed site's slots are counted.
    const release = this.limiter.begin(input.callerOrigin as string);
    if (!release) throw new SignerError('busy');
    try {
      const { card, backend } = await this.chooseCard(input.cardSerial);
      return await this.cardLocks.run(card.serial, () =>
        backend.withSigningKey(card.serial, input.pin as string, async (key) => {
          const signature =
            signatureType === 'PKCS1'
              ? await key.signSha256WithRsa(input.tbs)
              : await createSignedData({
                  content: input.tbs,
                  certificateDer: key.certificate.der,
                  detached: input.detached,
                  signSha256WithRsa: (data) => key.signSha256WithRsa(data),
                });
          return { signature, certificate: key.certificate, cardSerial: card.serial, signatureType, challenge };
        }),
      );
    } catch (error) {
      throw toSignerError(error);
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    for (const backend of this.backends) await backend.close();
  }
}
