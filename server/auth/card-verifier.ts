// The portal's CardVerifier on the certificate engine (server/pki): chain to a configured anchor with revocation,
// the MOICA profile read from the leaf, and the challenge signature in either format the card component returns.
import type { Config } from '../config';
import {
  buildPortalTrustStore,
  createRevocationChecker,
  readOrganisationProfile,
  verifyChain,
  verifyChallengeSignature,
  type RevocationChecker,
  type TrustStore,
} from '../pki/index';
import { demoPkiDir, hasDemoPki, loadDemoPki } from '../demo/manifest';
import type { CardVerifier, CertificateIdentity } from './certificate-identity';

export interface EngineVerifierOptions {
  trustStore: TrustStore;
  revocation?: RevocationChecker;
  /** production mode: a path ending at a demo anchor is untrusted */
  refuseDemoAnchors: boolean;
}

export function engineCardVerifier(options: EngineVerifierOptions): CardVerifier {
  return {
    async verifyCertificate(certificateBase64, now) {
      const der = Buffer.from(certificateBase64, 'base64');
      const result = await verifyChain({
        leaf: der,
        anchors: options.trustStore,
        time: now,
        purpose: 'signing',
        revocation: options.revocation,
        refuseDemoAnchors: options.refuseDemoAnchors,
      });
      if (!result.ok) return { ok: false, reason: result.reason, detail: result.detail };
      const leaf = result.leaf;
      const organisation = readOrganisationProfile(result.path[0]!, result.anchor);
      const identity: CertificateIdentity = {
        fingerprintSha256: leaf.fingerprint,
        issuerDn: leaf.issuer,
        serialHex: leaf.serial,
        // A business certificate may name the company in O only.
        subjectCn: leaf.commonName ?? organisation.organisationName ?? '',
        subjectSerial: leaf.subjectSerialNumber ?? null,
        idLast4: leaf.idLast4 ?? null,
        cardSerial: leaf.cardSerial ?? null,
        notBefore: leaf.notBefore.toISOString(),
        notAfter: leaf.notAfter.toISOString(),
        derBase64: der.toString('base64'),
        organisation,
      };
      return { ok: true, identity };
    },
    verifySignature(tbs, signatureBase64, format, certificateDer) {
      const result = verifyChallengeSignature({
        tbs,
        signature: signatureBase64,
        format: format === 'PKCS7' ? 'cms' : 'pkcs1',
        certificate: certificateDer,
      });
      return result.ok ? { ok: true } : { ok: false, reason: result.reason };
    },
  };
}

/** GPKI + TRUST_DIR, plus the demo PKI's CAs in demo mode (when it has been made: `npm start` makes it). */
export async function createCardVerifier(config: Config): Promise<CardVerifier> {
  const production = config.mode === 'production';
  const demoDir = demoPkiDir(config.dataDir);
  const demo = !production && hasDemoPki(demoDir) ? loadDemoPki(demoDir) : undefined;
  const trustStore = buildPortalTrustStore({
    trustDir: config.trustDir,
    demoAnchors: demo ? [demo.rootDer] : [],
    // The customs-only CA is a root of its own: trusted through the configured-trust folder, as TRUST_DIR would.
    demoIntermediates: demo ? demo.intermediates.filter((i) => !i.configuredTrust).map((i) => i.certDer) : [],
    demoTrustDir: demo?.configuredTrustDir,
    production,
  });
  const revocation =
    config.revocationMode === 'off'
      ? undefined
      : createRevocationChecker({ mode: config.revocationMode, failOpen: config.revocationFailOpen });
  return engineCardVerifier({ trustStore, revocation, refuseDemoAnchors: production });
}
