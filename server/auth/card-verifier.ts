// Placeholder until the certificate engine lands in this slice: refuses every certificate with a reason.
import type { Config } from '../config';
import type { CardVerifier } from './certificate-identity';

export async function createCardVerifier(_config: Config): Promise<CardVerifier> {
  return {
    async verifyCertificate() {
      return { ok: false, reason: 'untrusted' };
    },
    verifySignature() {
      return { ok: false, reason: 'signature_invalid' };
    },
  };
}
