// What a token back end gives the signer: slots (readers) with or without a card, and the card's signing key
// for the length of one operation, after a PIN login.
import type { CertificateInfo } from '../cert-info.js';

export interface Card {
  /** The card's serial number (PKCS#11 token serialNumber; for a soft card, from the demo manifest or the file). */
  serial: string;
  label: string;
  /** Certificates readable without the PIN (a soft card without separate certificate files shows none until used). */
  certificates: CertificateInfo[];
}

export interface Slot {
  id: string;
  description: string;
  card: Card | null;
  /** PKCS#11 token flags (CKF_*), where the back end has them. */
  tokenFlags?: number;
}

export interface SigningKey {
  certificate: CertificateInfo;
  /** RSASSA-PKCS1-v1_5 over an already encoded DigestInfo (digests.ts): the card's raw CKM_RSA_PKCS operation. */
  signDigestInfo(digestInfo: Buffer): Promise<Buffer>;
}

export interface LibraryInfo {
  description: string;
  /** major.minor */
  version: string;
  manufacturer: string;
}

export interface TokenBackend {
  readonly kind: 'pkcs12' | 'pkcs11';
  libraryInfo(): LibraryInfo;
  listSlots(): Promise<Slot[]>;
  /**
   * Logs in to the card with the PIN, hands its signing key to `use`, and logs out.
   * Throws SignerError: no_card, wrong_pin (with tries left), locked, no_signing_certificate, card_error.
   */
  withSigningKey<T>(cardSerial: string, pin: string, use: (key: SigningKey) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
