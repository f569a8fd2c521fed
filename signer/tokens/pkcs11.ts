// PKCS#11 cards: the card vendor's module (HiCOS for the MOICA card) or SoftHSM2 in tests, through pkcs11js.
// The signing certificate is the one with digitalSignature key usage; its private key is found by CKA_ID.
// Wrong PINs: the token's flags are reported where it keeps them, and the signer keeps its own count per token
// serial too, because some modules (SoftHSM2 among them) answer CKR_PIN_INCORRECT but never lock.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type * as Pkcs11js from 'pkcs11js';
import { describeCertificate, type CertificateInfo } from '../cert-info.js';
import { CKR_PIN_INCORRECT, CKR_PIN_INVALID, CKR_PIN_LEN_RANGE, CKR_PIN_LOCKED, SignerError } from '../errors.js';
import { MAX_PIN_TRIES, PinCounterFile } from '../pin-state.js';
import type { LibraryInfo, Slot, SigningKey, TokenBackend } from './types.js';

// Token flags (PKCS#11 v2.40 §5.6, CK_TOKEN_INFO).
export const CKF_USER_PIN_COUNT_LOW = 0x00010000;
export const CKF_USER_PIN_FINAL_TRY = 0x00020000;
export const CKF_USER_PIN_LOCKED = 0x00040000;
const CKF_TOKEN_PRESENT = 0x1;
const CKF_TOKEN_INITIALIZED = 0x400;
const CKR_USER_ALREADY_LOGGED_IN = 0x100;

type Pkcs11Module = typeof Pkcs11js;

const CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191;
// A module is initialised once per process however many signers use it (tests run several); the last close finalises.
const users = new Map<string, number>();

interface Pkcs11Options {
  module: string;
  slot?: number;
  stateDir?: string;
}

function errorCode(error: unknown): number | undefined {
  return typeof (error as { code?: unknown })?.code === 'number' ? (error as { code: number }).code : undefined;
}

export class Pkcs11Backend implements TokenBackend {
  readonly kind = 'pkcs11' as const;
  private readonly counter: PinCounterFile;

  private constructor(
    private readonly lib: Pkcs11Module,
    private readonly p11: Pkcs11js.PKCS11,
    private readonly options: Pkcs11Options,
  ) {
    this.counter = new PinCounterFile(join(options.stateDir ?? join(homedir(), '.sw-signer'), 'pkcs11-pin-state.json'));
  }

  static async open(options: Pkcs11Options): Promise<Pkcs11Backend> {
    let lib: Pkcs11Module;
    try {
      const imported = (await import('pkcs11js')) as unknown as { default?: Pkcs11Module } & Pkcs11Module;
      lib = imported.default ?? imported;
    } catch {
      throw new Error('PKCS#11 needs the pkcs11js package: run `npm install pkcs11js` beside the signer');
    }
    const p11 = new lib.PKCS11();
    try {
      p11.load(options.module);
    } catch (error) {
      throw new Error(
        `cannot load the PKCS#11 module ${options.module}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    try {
      p11.C_Initialize();
    } catch (error) {
      if (errorCode(error) !== CKR_CRYPTOKI_ALREADY_INITIALIZED) throw error;
    }
    users.set(options.module, (users.get(options.module) ?? 0) + 1);
    return new Pkcs11Backend(lib, p11, options);
  }

  /** The module's own description and version (C_GetInfo), as /pkcs11info shows them. */
  libraryInfo(): LibraryInfo {
    const info = this.p11.C_GetInfo();
    return {
      description: info.libraryDescription.trim(),
      version: `${info.libraryVersion.major}.${info.libraryVersion.minor}`,
      manufacturer: info.manufacturerID.trim(),
    };
  }

  private slotHandles(): Pkcs11js.Handle[] {
    const all = this.p11.C_GetSlotList(false);
    if (this.options.slot === undefined) return all;
    return all[this.options.slot] ? [all[this.options.slot]] : [];
  }

  private withSession<T>(slot: Pkcs11js.Handle, use: (session: Pkcs11js.Handle) => T): T {
    const session = this.p11.C_OpenSession(slot, this.lib.CKF_SERIAL_SESSION);
    try {
      return use(session);
    } finally {
      try {
        this.p11.C_CloseSession(session);
      } catch {
        // the token may have been removed
      }
    }
  }

  private find(session: Pkcs11js.Handle, template: Pkcs11js.Template): Pkcs11js.Handle[] {
    this.p11.C_FindObjectsInit(session, template);
    try {
      return this.p11.C_FindObjects(session, 64);
    } finally {
      this.p11.C_FindObjectsFinal(session);
    }
  }

  private certificates(session: Pkcs11js.Handle): Array<CertificateInfo & { ckaId: Buffer }> {
    const out: Array<CertificateInfo & { ckaId: Buffer }> = [];
    for (const handle of this.find(session, [{ type: this.lib.CKA_CLASS, value: this.lib.CKO_CERTIFICATE }])) {
      const [value, id, label] = this.p11.C_GetAttributeValue(session, handle, [
        { type: this.lib.CKA_VALUE },
        { type: this.lib.CKA_ID },
        { type: this.lib.CKA_LABEL },
      ]);
      try {
        const ckaId = (id.value as Buffer) ?? Buffer.alloc(0);
        out.push({
          ...describeCertificate(value.value as Buffer),
          label: label.value ? (label.value as Buffer).toString('utf8') : '',
          objectId: ckaId.toString('hex'),
          ckaId,
        });
      } catch {
        // not an X.509 certificate we can read: not shown
      }
    }
    return out;
  }

  async listSlots(): Promise<Slot[]> {
    return this.slotHandles().map((handle, index) => {
      const info = this.p11.C_GetSlotInfo(handle);
      const slot: Slot = {
        id: String(this.options.slot ?? index),
        description: info.slotDescription.trim(),
        card: null,
      };
      if (!(info.flags & CKF_TOKEN_PRESENT)) return slot;
      const token = this.p11.C_GetTokenInfo(handle);
      slot.tokenFlags = token.flags;
      // An uninitialised token (SoftHSM2's spare slot, a blank card) holds no certificate: no card to use.
      if (!(token.flags & CKF_TOKEN_INITIALIZED)) return slot;
      let certificates: CertificateInfo[] = [];
      try {
        certificates = this.withSession(handle, (session) => this.certificates(session)).map(
          ({ ckaId: _id, ...c }) => c,
        );
      } catch {
        // an uninitialised token has no certificates to show
      }
      slot.card = { serial: token.serialNumber.trim(), label: token.label.trim(), certificates };
      return slot;
    });
  }

  async withSigningKey<T>(cardSerial: string, pin: string, use: (key: SigningKey) => Promise<T>): Promise<T> {
    const slot = this.slotHandles().find((handle) => {
      const info = this.p11.C_GetSlotInfo(handle);
      if (!(info.flags & CKF_TOKEN_PRESENT)) return false;
      const token = this.p11.C_GetTokenInfo(handle);
      return (token.flags & CKF_TOKEN_INITIALIZED) !== 0 && token.serialNumber.trim() === cardSerial;
    });
    if (!slot) throw new SignerError('no_card');
    const flags = this.p11.C_GetTokenInfo(slot).flags;
    if (flags & CKF_USER_PIN_LOCKED || (await this.counter.failures(cardSerial)) >= MAX_PIN_TRIES) {
      throw new SignerError('locked', { triesLeft: 0, lastError: CKR_PIN_LOCKED });
    }
    const session = this.p11.C_OpenSession(slot, this.lib.CKF_SERIAL_SESSION);
    let loggedIn = false;
    try {
      try {
        this.p11.C_Login(session, this.lib.CKU_USER, pin);
        loggedIn = true;
      } catch (error) {
        const code = errorCode(error);
        if (code === CKR_USER_ALREADY_LOGGED_IN) {
          loggedIn = true;
        } else if (code === CKR_PIN_LOCKED) {
          throw new SignerError('locked', { triesLeft: 0, lastError: CKR_PIN_LOCKED });
        } else if (code === CKR_PIN_INCORRECT || code === CKR_PIN_INVALID || code === CKR_PIN_LEN_RANGE) {
          let triesLeft = await this.counter.recordFailure(cardSerial);
          const after = this.p11.C_GetTokenInfo(slot).flags;
          if (after & CKF_USER_PIN_LOCKED) triesLeft = 0;
          else if (after & CKF_USER_PIN_FINAL_TRY) triesLeft = Math.min(triesLeft, 1);
          if (triesLeft === 0) throw new SignerError('locked', { triesLeft: 0, lastError: CKR_PIN_LOCKED });
          throw new SignerError('wrong_pin', { triesLeft, lastError: CKR_PIN_INCORRECT });
        } else {
          throw new SignerError('card_error', { message: `C_Login failed (${code ?? 'unknown'})`, lastError: code });
        }
      }
      await this.counter.reset(cardSerial);
      const signing = this.certificates(session).find((c) => c.usage === 'signing');
      if (!signing) throw new SignerError('no_signing_certificate');
      const [key] = this.find(session, [
        { type: this.lib.CKA_CLASS, value: this.lib.CKO_PRIVATE_KEY },
        { type: this.lib.CKA_ID, value: signing.ckaId },
      ]);
      if (!key)
        throw new SignerError('no_signing_certificate', { message: 'no private key with the certificate CKA_ID' });
      const { ckaId: _id, ...certificate } = signing;
      return await use({
        certificate,
        // CKM_RSA_PKCS over the DigestInfo (PKCS#11 v2.40 §2.1.6): one mechanism for every hash kind and for RAW.
        signDigestInfo: async (digestInfo) => {
          this.p11.C_SignInit(session, { mechanism: this.lib.CKM_RSA_PKCS }, key);
          return Buffer.from(this.p11.C_Sign(session, digestInfo, Buffer.alloc(1024)));
        },
      });
    } finally {
      try {
        if (loggedIn) this.p11.C_Logout(session);
      } catch {
        // already logged out
      }
      try {
        this.p11.C_CloseSession(session);
      } catch {
        // token removed
      }
    }
  }

  async close(): Promise<void> {
    const left = (users.get(this.options.module) ?? 1) - 1;
    if (left > 0) {
      users.set(this.options.module, left);
      return;
    }
    users.delete(this.options.module);
    try {
      this.p11.C_Finalize();
    } finally {
      this.p11.close();
    }
  }
}
