// SoftHSM2 tokens for the PKCS#11 tests, in a temporary folder (SOFTHSM2_CONF points at a config naming it).
// The card's key and certificates are put on the token through PKCS#11 itself (pkcs11js C_CreateObject),
// so the only tool needed besides the module is softhsm2-util to initialise tokens.
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { der as asn1 } from '../../server/pki/index.js';
import { tempDir } from './fixtures.js';

export const SOFTHSM_MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

export function findSoftHsm(): { module: string } | { missing: string } {
  const module = SOFTHSM_MODULE_CANDIDATES.find((file) => existsSync(file));
  if (!module)
    return {
      missing: `SoftHSM2 module not found (looked in ${SOFTHSM_MODULE_CANDIDATES.join(', ')}); install the softhsm2 package`,
    };
  const util = spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' });
  if (util.status !== 0) return { missing: 'softhsm2-util not found; install the softhsm2 package' };
  return { module };
}

export interface SoftHsm {
  module: string;
  dir: string;
  /** Initialises a token, returns its serial number. */
  initToken(label: string, userPin: string): string;
  /** Puts an RSA private key (PEM) and optionally its certificate (DER) on the token under one CKA_ID. */
  importObjects(
    label: string,
    userPin: string,
    objects: Array<{ id: number; label: string; keyPem?: string; certDer?: Buffer }>,
  ): void;
}

/** Sets SOFTHSM2_CONF for this process: call before any signer loads the module. */
export function createSoftHsm(module: string): SoftHsm {
  const dir = tempDir('sw-signer-softhsm-');
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  process.env.SOFTHSM2_CONF = conf;

  const withToken = (label: string, userPin: string, use: (p11: pkcs11js.PKCS11, session: pkcs11js.Handle) => void) => {
    const p11 = new pkcs11js.PKCS11();
    p11.load(module);
    p11.C_Initialize();
    try {
      const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === label);
      if (!slot) throw new Error(`no SoftHSM token "${label}"`);
      const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      p11.C_Login(session, pkcs11js.CKU_USER, userPin);
      try {
        use(p11, session);
      } finally {
        p11.C_Logout(session);
        p11.C_CloseSession(session);
      }
    } finally {
      p11.C_Finalize();
      p11.close();
    }
  };

  return {
    module,
    dir,
    initToken(label, userPin) {
      const result = spawnSync(
        'softhsm2-util',
        ['--init-token', '--free', '--label', label, '--so-pin', '87654321', '--pin', userPin],
        {
          encoding: 'utf8',
          env: process.env,
        },
      );
      if (result.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${result.stderr}${result.stdout}`);
      const shown = spawnSync('softhsm2-util', ['--show-slots'], { encoding: 'utf8', env: process.env }).stdout;
      for (const block of shown.split(/\nSlot /)) {
        if (new RegExp(`Label:[ ]+${label}[ ]*(\\n|$)`).test(block)) {
          const serial = /Serial number:\s+(\S+)/.exec(block);
          if (serial) return serial[1];
        }
      }
      throw new Error(`token "${label}" not found after initialisation`);
    },
    importObjects(label, userPin, objects) {
      withToken(label, userPin, (p11, session) => {
        for (const object of objects) {
          const id = Buffer.from([object.id]);
          if (object.keyPem) {
            const jwk = createPrivateKey(object.keyPem).export({ format: 'jwk' });
            const b = (v: string | undefined) => Buffer.from(v as string, 'base64url');
            p11.C_CreateObject(session, [
              { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
              { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
              { type: pkcs11js.CKA_TOKEN, value: true },
              { type: pkcs11js.CKA_PRIVATE, value: true },
              { type: pkcs11js.CKA_SENSITIVE, value: true },
              { type: pkcs11js.CKA_SIGN, value: true },
              { type: pkcs11js.CKA_ID, value: id },
              { type: pkcs11js.CKA_LABEL, value: object.label },
              { type: pkcs11js.CKA_MODULUS, value: b(jwk.n) },
              { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: b(jwk.e) },
              { type: pkcs11js.CKA_PRIVATE_EXPONENT, value: b(jwk.d) },
              { type: pkcs11js.CKA_PRIME_1, value: b(jwk.p) },
              { type: pkcs11js.CKA_PRIME_2, value: b(jwk.q) },
              { type: pkcs11js.CKA_EXPONENT_1, value: b(jwk.dp) },
              { type: pkcs11js.CKA_EXPONENT_2, value: b(jwk.dq) },
              { type: pkcs11js.CKA_COEFFICIENT, value: b(jwk.qi) },
            ]);
          }
          if (object.certDer) {
            const der = object.certDer;
            const tbs = asn1.children(der, asn1.readTlv(der, 0))[0];
            const fields = asn1.children(der, tbs);
            const v = fields[0].tag === 0xa0 ? 1 : 0;
            p11.C_CreateObject(session, [
              { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
              { type: pkcs11js.CKA_CERTIFICATE_TYPE, value: pkcs11js.CKC_X_509 },
              { type: pkcs11js.CKA_TOKEN, value: true },
              { type: pkcs11js.CKA_PRIVATE, value: false },
              { type: pkcs11js.CKA_ID, value: id },
              { type: pkcs11js.CKA_LABEL, value: object.label },
              { type: pkcs11js.CKA_SUBJECT, value: asn1.whole(der, fields[v + 4]) },
              { type: pkcs11js.CKA_ISSUER, value: asn1.whole(der, fields[v + 2]) },
              { type: pkcs11js.CKA_SERIAL_NUMBER, value: asn1.whole(der, fields[v]) },
              { type: pkcs11js.CKA_VALUE, value: der },
            ]);
          }
        }
      });
    },
  };
}

export function readPem(file: string): string {
  return readFileSync(file, 'utf8');
}
