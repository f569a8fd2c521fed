// The demo PKI's OCSP responder (RFC 6960): answers for the root (signed by the root itself) and for G2/G3 (signed by each CA's
// delegated responder certificate, which is included in the response). Status comes from the manifest, so a revoked demo card
// shows up at once. Also exported: buildOcspResponse, for tests that need a deliberately wrong answer.
import { createPrivateKey, createHash, sign, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  certificateFrom,
  der,
  encodeCertId,
  OID,
  parseOcspRequest,
  type Certificate,
  type SingleResponse,
} from '../server/pki/index';
import { CRL_REASONS, loadDemoPki, type CaId, type DemoPki } from '../server/demo/manifest';
import { SHA256_WITH_RSA } from './x509-builder';

/** One certificate's status, as the client side reads it back (revocation/ocsp.ts). */
export type SingleAnswer = SingleResponse;

export interface OcspResponseSpec {
  /** the responder's certificate: its subject is the ResponderID (byName) */
  signerCertDer: Buffer;
  signerKey: KeyObject;
  /** include signerCertDer in the response's certs (a delegated responder must) */
  includeSignerCert: boolean;
  producedAt: Date;
  answers: SingleAnswer[];
  nonce?: Buffer;
}

function encodeStatus(a: SingleAnswer): Buffer {
  if (a.status === 'good') return Buffer.from([0x80, 0x00]);
  if (a.status === 'unknown') return Buffer.from([0x82, 0x00]);
  return der.tlv(
    0xa1,
    Buffer.concat([
      der.generalizedTime(a.revokedAt ?? a.thisUpdate),
      ...(a.reason ? [der.explicit(0, der.enumerated(a.reason))] : []),
    ]),
  );
}

/** A successful OCSPResponse carrying a BasicOCSPResponse signed with SHA-256/RSA (RFC 6960 §4.2.1). */
export function buildOcspResponse(spec: OcspResponseSpec): Buffer {
  const signer = certificateFrom(spec.signerCertDer);
  const responseData = der.seq(
    der.explicit(1, signer.subjectDer),
    der.generalizedTime(spec.producedAt),
    der.seq(
      ...spec.answers.map((a) =>
        der.seq(
          encodeCertId(a.certId),
          encodeStatus(a),
          der.generalizedTime(a.thisUpdate),
          ...(a.nextUpdate ? [der.explicit(0, der.generalizedTime(a.nextUpdate))] : []),
        ),
      ),
    ),
    ...(spec.nonce
      ? [der.explicit(1, der.seq(der.seq(der.oid(OID.ocspNonce), der.octet(der.octet(spec.nonce)))))]
      : []),
  );
  const basic = der.seq(
    responseData,
    SHA256_WITH_RSA,
    der.bitString(sign('sha256', responseData, spec.signerKey)),
    ...(spec.includeSignerCert ? [der.explicit(0, der.seq(spec.signerCertDer))] : []),
  );
  return der.seq(der.enumerated(0), der.explicit(0, der.seq(der.oid(OID.ocspBasic), der.octet(basic))));
}

/** An unsuccessful OCSPResponse: 1 malformedRequest, 2 internalError, 6 unauthorized. */
export const ocspError = (status: 1 | 2 | 3 | 6): Buffer => der.seq(der.enumerated(status));

export type DemoCa = 'root' | CaId;

interface CaState {
  cert: Certificate;
  signerCertDer: Buffer;
  signerKey: KeyObject;
  delegated: boolean;
  /** hashes of the CA's name and key, per CertID hash algorithm */
  nameHash: Record<'sha1' | 'sha256', Buffer>;
  keyHash: Record<'sha1' | 'sha256', Buffer>;
  /** serial (upper-case hex) → revocation, for every certificate this CA issued */
  issued: Map<string, { revokedAt?: Date; reason?: number }>;
}

export interface DemoOcspResponderOptions {
  /** the responder's clock; tests pass a fixed one */
  clock?: () => Date;
  /** nextUpdate − thisUpdate of each answer: 5 minutes, so a card revoked with `npm run demo-pki -- revoke` is refused
   *  by a running portal within minutes (relying parties cache an answer until its nextUpdate) */
  validityMs?: number;
}

export interface DemoOcspResponder {
  respond(ca: DemoCa, requestDer: Buffer): Buffer;
}

export function createDemoOcspResponder(dir: string, options: DemoOcspResponderOptions = {}): DemoOcspResponder {
  const clock = options.clock ?? (() => new Date());
  const validityMs = options.validityMs ?? 5 * 60_000;
  let loadedAt = -1;
  let states = new Map<DemoCa, CaState>();

  function reload(): Map<DemoCa, CaState> {
    const mtime = statSync(join(dir, 'manifest.json')).mtimeMs;
    if (mtime === loadedAt) return states;
    const pki: DemoPki = loadDemoPki(dir);
    const key = (file: string) => createPrivateKey(readFileSync(pki.path(file), 'utf8'));
    const hashes = (b: Buffer) => ({
      sha1: createHash('sha1').update(b).digest(),
      sha256: createHash('sha256').update(b).digest(),
    });
    const next = new Map<DemoCa, CaState>();
    const root = certificateFrom(pki.rootDer);
    next.set('root', {
      cert: root,
      signerCertDer: pki.rootDer,
      signerKey: key(pki.manifest.root.keyFile),
      delegated: false,
      nameHash: hashes(root.subjectDer),
      keyHash: hashes(root.spki.publicKeyBits),
      issued: new Map(pki.intermediates.map((i) => [certificateFrom(i.certDer).serialHex, {}])),
    });
    for (const ca of pki.intermediates) {
      const cert = certificateFrom(ca.certDer);
      const issued = new Map<string, { revokedAt?: Date; reason?: number }>([[ca.ocspSerial, {}]]);
      for (const card of pki.cards.filter((c) => c.issuer === ca.id)) {
        const state = card.revoked
          ? {
              revokedAt: new Date(card.revokedAt ?? pki.manifest.createdAt),
              reason: CRL_REASONS[card.revocationReason ?? 'unspecified'],
            }
          : {};
        issued.set(card.signingSerial, state);
        issued.set(card.encryptionSerial, state);
      }
      next.set(ca.id, {
        cert,
        signerCertDer: ca.ocspCertDer,
        signerKey: key(ca.ocspKeyFile),
        delegated: true,
        nameHash: hashes(cert.subjectDer),
        keyHash: hashes(cert.spki.publicKeyBits),
        issued,
      });
    }
    states = next;
    loadedAt = mtime;
    return states;
  }

  return {
    respond(ca, requestDer) {
      let request;
      try {
        request = parseOcspRequest(requestDer);
      } catch {
        return ocspError(1);
      }
      const state = reload().get(ca);
      if (!state) return ocspError(6);
      const now = new Date(Math.floor(clock().getTime() / 1000) * 1000);
      const answers: SingleAnswer[] = request.certIds.map((certId) => {
        const ours =
          state.nameHash[certId.hash].equals(certId.issuerNameHash) &&
          state.keyHash[certId.hash].equals(certId.issuerKeyHash);
        const entry = ours ? state.issued.get(certId.serialHex) : undefined;
        const base = { certId, thisUpdate: now, nextUpdate: new Date(now.getTime() + validityMs) };
        if (!entry) return { ...base, status: 'unknown' as const };
        if (entry.revokedAt)
          return { ...base, status: 'revoked' as const, revokedAt: entry.revokedAt, reason: entry.reason };
        return { ...base, status: 'good' as const };
      });
      return buildOcspResponse({
        signerCertDer: state.signerCertDer,
        signerKey: state.signerKey,
        includeSignerCert: state.delegated,
        producedAt: now,
        answers,
        nonce: request.nonce,
      });
    },
  };
}
