// One signature, checked in a fixed order before the card is touched: the caller's origin, the text,
// the algorithm, the challenge's own origin, the PIN's presence and format; then the card, under its lock.
import { isChallengeText, parseChallengeText, type ChallengeText } from './challenge-text.js';
import { createSignedData } from './cms.js';
import { digest, DIGEST_LENGTH, digestInfo, hashOfLength, parseHashName, type HashName } from './digests.js';
import type { CertificateInfo } from './cert-info.js';
import { CKR_PIN_INVALID, CKR_PIN_LEN_RANGE, SignerError, toSignerError } from './errors.js';
import { KeyedMutex, OriginLimiter, type OriginLimits } from './limiter.js';
import type { OriginPolicy } from './origin-policy.js';
import type { Card, Slot, TokenBackend } from './tokens/types.js';

export const MAX_TBS_BYTES = 64 * 1024;
const PIN_FORMAT = /^[A-Za-z0-9]{6,8}$/;

/** PKCS1: RSA over the text's hash; PKCS7: CMS SignedData; RAW: RSA over a hash the caller computed (file, PDF signing). */
export type SignatureType = 'PKCS1' | 'PKCS7' | 'RAW';

export interface SignInput {
  /** The origin of the page asking (from Origin/Referer, or the popup's opener); null when unknown. */
  callerOrigin: string | null;
  tbs: Buffer;
  hashAlgorithm?: unknown;
  signatureType?: unknown;
  pin?: unknown;
  cardSerial?: unknown;
  /** The reader whose card signs (HiPKI's slotDescription); '' or absent: the card in use. */
  slotDescription?: unknown;
  /** PKCS7 only: leave the content out of the SignedData. */
  detached?: boolean;
}

export interface SignOutput {
  signature: Buffer;
  certificate: CertificateInfo;
  cardSerial: string;
  signatureType: SignatureType;
  hash: HashName;
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
  return upper === 'PKCS1' || upper === 'PKCS7' || upper === 'RAW' ? upper : null;
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
      .map((slot) => ({
        ...(slot.card as Card),
        slotId: slot.id,
        slotDescription: slot.description,
        backend: slot.backend,
      }));
  }

  /** The card a request that names none is signed with: the one "inserted" on the signer's page, else the first. */
  async cardInUse(): Promise<CardView | null> {
    const cards = await this.cards();
    return cards.find((c) => c.serial === this.insertedCard) ?? cards[0] ?? null;
  }

  /** Throws no_reader / no_card; picks the named card, else the card in the named reader, else the card in use. */
  private async chooseCard(
    cardSerial: unknown,
    slotDescription: unknown,
  ): Promise<{ card: CardView; backend: TokenBackend }> {
    const slots = await this.slots();
    if (slots.length === 0) throw new SignerError('no_reader');
    const cards = await this.cards();
    const wanted = typeof cardSerial === 'string' && cardSerial !== '' ? cardSerial : null;
    const reader = typeof slotDescription === 'string' && slotDescription !== '' ? slotDescription : null;
    const card = wanted
      ? cards.find((c) => c.serial === wanted)
      : reader
        ? cards.find((c) => c.slotDescription === reader)
        : (cards.find((c) => c.serial === this.insertedCard) ?? cards[0]);
    if (!card) throw new SignerError('no_card');
    const backend = this.backends.find((b) => b.kind === card.backend) as TokenBackend;
    return { card, backend };
  }

  /** Checks that need no card, in order; returns the parsed challenge, if the text is one. */
  checkRequest(input: SignInput): { signatureType: SignatureType; hash: HashName; challenge: ChallengeText | null } {
    if (!this.policy.isAllowed(input.callerOrigin)) throw new SignerError('site_not_trusted');
    if (input.tbs.length === 0) throw new SignerError('tbs_missing');
    if (input.tbs.length > MAX_TBS_BYTES) throw new SignerError('tbs_too_large');
    const signatureType = normalizeSignatureType(input.signatureType);
    if (!signatureType) throw new SignerError('unsupported_algorithm');
    // SHA-1 is signed for older clients, as the component does; the portal's own verifier refuses it. A RAW hash
    // sent without hashAlgorithm (as clients signing a precomputed hash do) is of the kind its length tells.
    const unnamed = input.hashAlgorithm === undefined || input.hashAlgorithm === null || input.hashAlgorithm === '';
    const hash =
      signatureType === 'RAW' && unnamed ? hashOfLength(input.tbs.length) : parseHashName(input.hashAlgorithm);
    if (!hash) {
      if (signatureType === 'RAW' && unnamed) throw new SignerError('bad_request', { message: 'not a hash' });
      throw new SignerError('unsupported_algorithm');
    }
    if (signatureType === 'RAW' && input.tbs.length !== DIGEST_LENGTH[hash]) {
      throw new SignerError('bad_request', { message: `RAW signs a ${hash} hash of ${DIGEST_LENGTH[hash]} bytes` });
    }
    let challenge: ChallengeText | null = null;
    const text = input.tbs.toString('utf8');
    // A RAW hash cannot be read: only the caller's own origin check applies to it (README).
    if (signatureType !== 'RAW' && isChallengeText(text)) {
      challenge = parseChallengeText(text);
      if (!challenge) throw new SignerError('bad_request', { message: 'malformed portal challenge' });
      // A challenge of one site must not be signed at another site's request (DESIGN.md §4).
      if (challenge.origin !== input.callerOrigin) throw new SignerError('site_not_trusted');
    }
    if (input.pin === undefined || input.pin === null || input.pin === '') throw new SignerError('no_pin');
    if (typeof input.pin !== 'string' || !PIN_FORMAT.test(input.pin)) {
      // What the card's module would answer had the PIN reached it: a length out of range, else bad characters.
      const lengthOk = typeof input.pin === 'string' && input.pin.length >= 6 && input.pin.length <= 8;
      throw new SignerError('bad_pin_format', { lastError: lengthOk ? CKR_PIN_INVALID : CKR_PIN_LEN_RANGE });
    }
    return { signatureType, hash, challenge };
  }

  async sign(input: SignInput): Promise<SignOutput> {
    const { signatureType, hash, challenge } = this.checkRequest(input);
    // checkRequest has refused any origin off the allow-list, so only an allowed site's slots are counted.
    const release = this.limiter.begin(input.callerOrigin as string);
    if (!release) throw new SignerError('busy');
    try {
      const { card, backend } = await this.chooseCard(input.cardSerial, input.slotDescription);
      return await this.cardLocks.run(card.serial, () =>
        backend.withSigningKey(card.serial, input.pin as string, async (key) => {
          const signature =
            signatureType === 'PKCS7'
              ? await createSignedData({
                  content: input.tbs,
                  certificateDer: key.certificate.der,
                  detached: input.detached,
                  hash,
                  signDigestInfo: (info) => key.signDigestInfo(info),
                })
              : await key.signDigestInfo(
                  digestInfo(hash, signatureType === 'RAW' ? input.tbs : digest(hash, input.tbs)),
                );
          return { signature, certificate: key.certificate, cardSerial: card.serial, signatureType, hash, challenge };
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
