// Soft cards: one PKCS#12 file per card, its password being the card's PIN (the demo PKI's cards).
// The wrong-PIN counter lives next to the file (`<file>.pinstate.json`), so the third wrong PIN locks it.
import { constants, createHash, createPrivateKey, createPublicKey, privateEncrypt, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import forge from 'node-forge';
import { describeCertificate, publicKeyOf, type CertificateInfo } from '../cert-info.js';
import { der as asn1 } from '../../server/pki/index.js';
import { SignerError } from '../errors.js';
import { MAX_PIN_TRIES, PinCounterFile } from '../pin-state.js';
import { SIGNER_VERSION } from '../version.js';
import type { Card, LibraryInfo, SigningKey, Slot, TokenBackend } from './types.js';

export interface SoftCardConfig {
  p12File: string;
  cardSerial?: string;
  label?: string;
  /** Certificate files (PEM or DER) shown before the PIN is entered, like the public objects of a real card. */
  signingCertFile?: string;
  encryptionCertFile?: string;
  /** CA certificates the card carries beside the holder's (a real card holds its issuing CA's). */
  caCertFiles?: string[];
}

function readCertificateFile(file: string): Buffer {
  const raw = readFileSync(file);
  return asn1.pemBlocks(raw.toString('latin1'), ['CERTIFICATE'])[0]?.der ?? raw;
}

const { children, oid, readTlv, whole } = asn1;
const DATA = oid('1.2.840.113549.1.7.1');
const CERT_BAG = oid('1.2.840.113549.1.12.10.1.3');
const X509_CERTIFICATE = oid('1.2.840.113549.1.9.22.1');

/**
 * Certificates a PKCS#12 file keeps outside its encrypted parts (RFC 7292 §4.1: a SafeContents in a plain `data`
 * ContentInfo), readable without the password like the public objects of a card. Files that encrypt their
 * certificates too (OpenSSL's default) show none until the PIN is given.
 */
export function unencryptedCertificates(der: Buffer): Buffer[] {
  const found: Buffer[] = [];
  const is = (node: asn1.Tlv, expected: Buffer) => whole(der, node).equals(expected);
  try {
    const [, authSafe] = children(der, readTlv(der, 0));
    const [type, explicit] = children(der, authSafe);
    if (!is(type, DATA)) return found;
    const octets = children(der, explicit)[0];
    const safes = readTlv(der, octets.start);
    for (const contentInfo of children(der, safes)) {
      const [safeType, safeExplicit] = children(der, contentInfo);
      if (!is(safeType, DATA) || !safeExplicit) continue;
      const safeOctets = children(der, safeExplicit)[0];
      for (const bag of children(der, readTlv(der, safeOctets.start))) {
        const [bagId, bagValue] = children(der, bag);
        if (!is(bagId, CERT_BAG)) continue;
        const [certId, certExplicit] = children(der, children(der, bagValue)[0]);
        if (!is(certId, X509_CERTIFICATE)) continue;
        const certOctets = children(der, certExplicit)[0];
        found.push(Buffer.from(der.subarray(certOctets.start, certOctets.end)));
      }
    }
  } catch {
    // BER (indefinite lengths) or an unexpected layout: nothing shown before the PIN
  }
  return found;
}

interface Opened {
  certificates: Buffer[];
  keys: KeyObject[];
}

function openPkcs12(der: Buffer, password: string): Opened {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, true, password);
  const certificates: Buffer[] = [];
  for (const bag of p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? []) {
    if (bag.cert)
      certificates.push(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert)).getBytes(), 'binary'));
    else if (bag.asn1) certificates.push(Buffer.from(forge.asn1.toDer(bag.asn1).getBytes(), 'binary'));
  }
  const keys: KeyObject[] = [];
  for (const type of [forge.pki.oids.pkcs8ShroudedKeyBag, forge.pki.oids.keyBag]) {
    for (const bag of p12.getBags({ bagType: type })[type] ?? []) {
      if (bag.key) keys.push(createPrivateKey(forge.pki.privateKeyToPem(bag.key)));
    }
  }
  return { certificates, keys };
}

function isWrongPassword(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /MAC could not be verified|Invalid password|PKCS#12 MAC/i.test(message);
}

class SoftCard {
  readonly serial: string;
  readonly counter: PinCounterFile;
  private cached: CertificateInfo[] | null = null;
  private cachedCa: CertificateInfo[] | null = null;

  constructor(readonly config: SoftCardConfig) {
    this.serial =
      config.cardSerial ??
      (existsSync(config.p12File)
        ? 'P12' + createHash('sha256').update(readFileSync(config.p12File)).digest('hex').slice(0, 13).toUpperCase()
        : 'P12-' + basename(config.p12File));
    this.counter = new PinCounterFile(`${config.p12File}.pinstate.json`);
  }

  present(): boolean {
    return existsSync(this.config.p12File);
  }

  /** The card's CA certificates, read from their files once. */
  private caCertificates(): CertificateInfo[] {
    this.cachedCa ??= (this.config.caCertFiles ?? []).flatMap((file) => {
      try {
        return [describeCertificate(readCertificateFile(file))];
      } catch {
        return [];
      }
    });
    return this.cachedCa;
  }

  /** The holder's certificates first, then the CA ones, each once; soft cards have no token ids, so one is derived. */
  private withCa(holder: CertificateInfo[]): CertificateInfo[] {
    const seen = new Set(holder.map((c) => c.der.toString('base64')));
    const all = [...holder, ...this.caCertificates().filter((c) => !seen.has(c.der.toString('base64')))];
    return all.map((c) => ({
      ...c,
      label: c.label ?? c.commonName,
      objectId: c.objectId ?? createHash('sha1').update(publicKeyOf(c.der)).digest('hex'),
    }));
  }

  certificates(): CertificateInfo[] {
    if (this.cached) return this.cached;
    const files = [this.config.signingCertFile, this.config.encryptionCertFile].filter((f): f is string => !!f);
    const found: CertificateInfo[] = [];
    for (const file of files) {
      try {
        found.push(describeCertificate(readCertificateFile(file)));
      } catch {
        // An unreadable certificate file is shown as absent; signing still reads the PKCS#12 itself.
      }
    }
    if (found.length === 0 && this.present()) {
      try {
        for (const der of unencryptedCertificates(readFileSync(this.config.p12File)))
          found.push(describeCertificate(der));
      } catch {
        // unreadable: shown after the PIN
      }
    }
    if (found.length === 0) return this.caCertificates();
    this.cached = this.withCa(found);
    return this.cached;
  }

  remember(certificates: CertificateInfo[]): void {
    this.cached = this.withCa(certificates);
  }
}

export class Pkcs12Backend implements TokenBackend {
  readonly kind = 'pkcs12' as const;
  private readonly cards: SoftCard[];

  constructor(cards: SoftCardConfig[]) {
    this.cards = cards.map((config) => new SoftCard(config));
  }

  async listSlots(): Promise<Slot[]> {
    return this.cards.map((card, index) => {
      const present = card.present();
      const view: Card | null = present
        ? {
            serial: card.serial,
            label: card.config.label ?? basename(card.config.p12File),
            certificates: card.certificates(),
          }
        : null;
      return { id: String(index), description: `Soft card reader ${index}`, card: view };
    });
  }

  libraryInfo(): LibraryInfo {
    return {
      description: 'sw-signer PKCS#12 soft card',
      version: SIGNER_VERSION.split('.').slice(0, 2).join('.'),
      manufacturer: 'sw-portal',
    };
  }

  async withSigningKey<T>(cardSerial: string, pin: string, use: (key: SigningKey) => Promise<T>): Promise<T> {
    const card = this.cards.find((c) => c.serial === cardSerial && c.present());
    if (!card) throw new SignerError('no_card');
    const failures = await card.counter.failures('user');
    if (failures >= MAX_PIN_TRIES) throw new SignerError('locked', { triesLeft: 0 });
    let der: Buffer;
    try {
      der = readFileSync(card.config.p12File);
    } catch {
      throw new SignerError('no_card');
    }
    let opened: Opened;
    try {
      opened = openPkcs12(der, pin);
    } catch (error) {
      if (!isWrongPassword(error)) throw new SignerError('card_error', { message: 'unreadable PKCS#12 file' });
      const triesLeft = await card.counter.recordFailure('user');
      if (triesLeft === 0) throw new SignerError('locked', { triesLeft: 0 });
      throw new SignerError('wrong_pin', { triesLeft });
    }
    await card.counter.reset('user');
    const certificates = opened.certificates.map(describeCertificate);
    card.remember(certificates);
    const signing = certificates.find((c) => c.usage === 'signing');
    if (!signing) throw new SignerError('no_signing_certificate');
    const spki = publicKeyOf(signing.der);
    const key = opened.keys.find((k) => createPublicKey(k).export({ type: 'spki', format: 'der' }).equals(spki));
    if (!key)
      throw new SignerError('no_signing_certificate', { message: 'no private key for the signing certificate' });
    return use({
      certificate: signing,
      // Block type 1 padding of the DigestInfo: exactly RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.1).
      signDigestInfo: async (digestInfo) => privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo),
    });
  }

  async close(): Promise<void> {}
}
