// The RevocationChecker used by path validation: OCSP and/or CRL per REVOCATION_MODE, cached, fail-closed unless failOpen.
import { randomBytes } from 'node:crypto';
import type { RevocationChecker, RevocationMode, RevocationResult, RevocationSubject } from '../revocation-types';
import { aiaUrls, crlUrls } from '../certificate-fields';
import { certificateFrom, type Certificate } from '../parse';
import { checkCrl, crlCovers, CrlError, parseCrl, type ParsedCrl } from './crl';
import { FetchError, httpRequest, type Fetcher } from './http';
import {
  buildOcspRequest,
  certIdFor,
  checkOcspResponse,
  parseOcspResponse,
  type CertIdHash,
  type SingleResponse,
} from './ocsp';
import { DerError, fromPem, isPem } from '../der';

export interface RevocationCheckerOptions {
  mode: RevocationMode;
  /** answer ok (source 'fail-open') when no fresh, verifiable answer can be had; never when the CA says revoked or unknown */
  failOpen?: boolean;
  timeoutMs?: number;
  /** largest CRL downloaded; real MOICA CRLs are ~20 MB */
  maxCrlBytes?: number;
  maxOcspBytes?: number;
  /** tolerance on OCSP/CRL thisUpdate and nextUpdate */
  clockSkewMs?: number;
  /** a cached CRL is re-fetched this long before its nextUpdate (the cached one is still used if that fails) */
  crlRefreshBeforeMs?: number;
  ocspHash?: CertIdHash;
  /** refuse OCSP responses that do not echo the request nonce (default true) */
  requireNonce?: boolean;
  fetch?: Fetcher;
  /** receives one line per failed source, for the request log */
  onProblem?: (detail: string) => void;
}

interface CrlCacheEntry {
  crl: ParsedCrl;
  /** SPKI (base64) of issuers this CRL has been verified for */
  verifiedFor: Set<string>;
}

const MAX_OCSP_CACHE = 50_000;
const MAX_CRL_CACHE = 64;

type Answer = RevocationResult | { unavailable: string };

const REASON_NAMES = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  '',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];
const reasonName = (code?: number) => (code === undefined ? 'unspecified' : REASON_NAMES[code] || String(code));

export interface CachingRevocationChecker extends RevocationChecker {
  /** forget cached CRLs and OCSP answers (after a demo card is revoked, for instance) */
  clear(): void;
}

export function createRevocationChecker(options: RevocationCheckerOptions): CachingRevocationChecker {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxCrlBytes = options.maxCrlBytes ?? 64 * 1024 * 1024;
  const maxOcspBytes = options.maxOcspBytes ?? 256 * 1024;
  const clockSkewMs = options.clockSkewMs ?? 5 * 60_000;
  const refreshBeforeMs = options.crlRefreshBeforeMs ?? 60 * 60_000;
  const requireNonce = options.requireNonce ?? true;
  const crlCache = new Map<string, CrlCacheEntry>();
  const crlInFlight = new Map<string, Promise<ParsedCrl>>();
  const ocspCache = new Map<string, { single: SingleResponse; until: number }>();

  function downloadCrl(url: string): Promise<ParsedCrl> {
    let pending = crlInFlight.get(url);
    if (!pending) {
      pending = httpRequest(
        url,
        { accept: 'application/pkix-crl' },
        { timeoutMs, maxBytes: maxCrlBytes, fetch: options.fetch },
      )
        .then(({ body }) => parseCrl(isPem(body) ? fromPem(body) : body))
        .finally(() => crlInFlight.delete(url));
      crlInFlight.set(url, pending);
    }
    return pending;
  }

  async function crlAnswer(cert: Certificate, issuer: Certificate, now: Date): Promise<Answer> {
    // The engine has already read the extension: a malformed one makes the certificate unreadable, answered in check().
    const urls = crlUrls(cert);
    if (urls.length === 0) return { unavailable: 'crl: no CRL distribution point' };
    const problems: string[] = [];
    const issuerId = issuer.spki.hash;
    for (const url of urls) {
      let entry = crlCache.get(url);
      const fresh = (crl: ParsedCrl) =>
        crl.nextUpdate !== undefined && now.getTime() < crl.nextUpdate.getTime() - refreshBeforeMs;
      if (!entry || !fresh(entry.crl)) {
        try {
          const crl = await downloadCrl(url);
          const problem = checkCrl(crl, issuer, now, clockSkewMs);
          if (problem) problems.push(`crl ${url}: ${problem}`);
          else {
            if (!crlCache.has(url) && crlCache.size >= MAX_CRL_CACHE)
              crlCache.delete(crlCache.keys().next().value as string);
            crlCache.set(url, (entry = { crl, verifiedFor: new Set([issuerId]) }));
          }
        } catch (error) {
          problems.push(`crl ${url}: ${describe(error)}`);
        }
      }
      if (!entry) continue;
      // The signature is checked once per issuer; currency is re-checked at every call against the caller's clock.
      const problem = entry.verifiedFor.has(issuerId)
        ? entry.crl.nextUpdate &&
          now.getTime() < entry.crl.nextUpdate.getTime() &&
          entry.crl.thisUpdate.getTime() <= now.getTime() + clockSkewMs
          ? undefined
          : 'stale'
        : checkCrl(entry.crl, issuer, now, clockSkewMs);
      if (problem) {
        problems.push(`crl ${url}: cached CRL ${problem}`);
        continue;
      }
      entry.verifiedFor.add(issuerId);
      if (!crlCovers(entry.crl, cert, url)) {
        problems.push(`crl ${url}: out_of_scope (issuingDistributionPoint does not cover this certificate)`);
        continue;
      }
      const hit = entry.crl.lookup(cert.serialHex);
      if (hit)
        return {
          ok: false,
          reason: 'revoked',
          detail: `crl: serial ${cert.serialHex} revoked (${reasonName(hit.reason)})`,
          revokedAt: hit.revokedAt,
        };
      return { ok: true, source: 'crl' };
    }
    return { unavailable: problems.join('; ') || 'crl: no usable CRL' };
  }

  async function ocspAnswer(cert: Certificate, issuer: Certificate, now: Date): Promise<Answer> {
    const urls = aiaUrls(cert);
    if (urls.length === 0) return { unavailable: 'ocsp: no OCSP responder in authorityInfoAccess' };
    const certId = certIdFor(cert, issuer, options.ocspHash ?? 'sha1');
    const cacheKey = `${issuer.spki.hash}|${cert.serialHex}`;
    const cached = ocspCache.get(cacheKey);
    let single: SingleResponse | undefined;
    if (cached && now.getTime() <= cached.until && cached.single.thisUpdate.getTime() <= now.getTime() + clockSkewMs)
      single = cached.single;
    const problems: string[] = [];
    for (const url of single ? [] : urls) {
      const request = buildOcspRequest(certId, randomBytes(32));
      try {
        const { body } = await httpRequest(
          url,
          {
            method: 'POST',
            body: request.der,
            contentType: 'application/ocsp-request',
            accept: 'application/ocsp-response',
          },
          { timeoutMs, maxBytes: maxOcspBytes, fetch: options.fetch },
        );
        const response = parseOcspResponse(body);
        if (!requireNonce && !response.nonce) response.nonce = request.nonce;
        const checked = checkOcspResponse({ response, cert, issuer, certId, nonce: request.nonce, now, clockSkewMs });
        if ('problem' in checked) {
          problems.push(
            `ocsp ${url}: ${checked.problem}${checked.problem === 'not_successful' ? ` (status ${response.responseStatus})` : ''}`,
          );
          continue;
        }
        single = checked.single;
        if (single.nextUpdate) {
          // Bounded: the oldest answer goes first (Map keeps insertion order).
          if (ocspCache.size >= MAX_OCSP_CACHE) ocspCache.delete(ocspCache.keys().next().value as string);
          ocspCache.set(cacheKey, { single, until: single.nextUpdate.getTime() });
        }
        break;
      } catch (error) {
        problems.push(`ocsp ${url}: ${describe(error)}`);
      }
    }
    if (!single) return { unavailable: problems.join('; ') };
    if (single.status === 'good') return { ok: true, source: 'ocsp' };
    if (single.status === 'revoked') {
      return {
        ok: false,
        reason: 'revoked',
        detail: `ocsp: serial ${cert.serialHex} revoked (${reasonName(single.reason)})`,
        revokedAt: single.revokedAt,
      };
    }
    return {
      ok: false,
      reason: 'revocation_unknown',
      detail: `ocsp: responder does not know serial ${cert.serialHex}`,
    };
  }

  return {
    clear() {
      crlCache.clear();
      ocspCache.clear();
    },
    async check(subject: RevocationSubject, now: Date): Promise<RevocationResult> {
      if (options.mode === 'off') return { ok: true, source: 'off' };
      let cert: Certificate;
      let issuer: Certificate;
      try {
        cert = certificateFrom(subject.certDer);
        issuer = certificateFrom(subject.issuerDer);
      } catch (error) {
        return {
          ok: false,
          reason: 'revocation_unavailable',
          detail: `certificate could not be read: ${(error as Error).message}`,
        };
      }
      const sources: Array<(c: Certificate, i: Certificate, n: Date) => Promise<Answer>> =
        options.mode === 'ocsp' ? [ocspAnswer] : options.mode === 'crl' ? [crlAnswer] : [ocspAnswer, crlAnswer];
      const problems: string[] = [];
      for (const source of sources) {
        const answer = await source(cert, issuer, now);
        if (!('unavailable' in answer)) return answer;
        problems.push(answer.unavailable);
        options.onProblem?.(answer.unavailable);
      }
      if (options.failOpen) return { ok: true, source: 'fail-open' };
      return { ok: false, reason: 'revocation_unavailable', detail: problems.join('; ') };
    },
  };
}

/** Expected failures carry their message; anything else is reported without internals. */
function describe(error: unknown): string {
  if (error instanceof FetchError || error instanceof CrlError || error instanceof DerError) return error.message;
  return `unexpected ${(error as Error)?.name ?? 'error'}`;
}
