// Demo cards for tests that log in or register with a certificate: a demo PKI made for the test file, the portal's
// card verifier on the certificate engine (path validation to the demo root, CRL revocation), and challenges signed
// with the demo card's own key, opened from its PKCS#12 with its PIN.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { sign } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoPki, type DemoCardSpec, type DemoPki } from '../../demo-pki/demo-pki';
import { openPkcs12 } from '../../demo-pki/pkcs12';
import { createRevocationChecker, createTrustStore, type CachingRevocationChecker } from '../../server/pki/index';
import type { CardVerifier } from '../../server/auth/certificate-identity';
import { engineCardVerifier } from '../../server/auth/card-verifier';

export const DEMO_BASE_URL = 'http://demo-pki.test';

/** A fresh demo PKI (2048-bit CA keys to keep it quick) and a function to throw it away. */
export async function makeDemoPki(
  now = new Date(),
  cards?: readonly DemoCardSpec[],
): Promise<{ pki: DemoPki; remove(): void }> {
  const root = mkdtempSync(join(tmpdir(), 'demo-cards-pki-'));
  const pki = await createDemoPki(join(root, 'pki'), { keyBits: 2048, baseUrl: DEMO_BASE_URL, now, cards });
  return { pki, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Serves the demo CAs' CRLs from disk at the URLs the certificates name, as the portal serves them in demo mode. */
function demoRepository(pki: DemoPki): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const file = /^\/demo-pki\/(root|g2|g3|moeaca|gca|customs)\.crl$/.exec(url.pathname);
    if (url.origin !== DEMO_BASE_URL || !file) return new Response('not found', { status: 404 });
    return new Response(readFileSync(pki.path(`${file[1]}.crl`)), {
      status: 200,
      headers: { 'content-type': 'application/pkix-crl' },
    });
  }) as typeof fetch;
}

/**
 * The portal's own card verifier (server/auth/card-verifier.ts, on the certificate engine) for a demo PKI: the demo
 * root as the (demo) trust anchor, its intermediates, CRL revocation fail-closed; the challenge signature in either
 * format the card component returns.
 */
export function demoCardVerifier(
  pki: DemoPki,
  revocation: CachingRevocationChecker = demoRevocationChecker(pki),
): CardVerifier {
  const trustStore = createTrustStore({
    anchors: [
      { cert: pki.rootDer, isDemo: true, source: 'demo' },
      // The customs-only test CA: a root of its own, configured trust (as TRUST_DIR makes the real one).
      ...pki.intermediates
        .filter((i) => i.configuredTrust)
        .map((i) => ({ cert: i.certDer, isDemo: true, configured: true, source: `demo/${i.id}-ca.pem` })),
    ],
    intermediates: pki.intermediates.filter((i) => !i.configuredTrust).map((i) => i.certDer),
    production: false,
  });
  return engineCardVerifier({ trustStore, revocation, refuseDemoAnchors: false });
}

/** CRL revocation (fail-closed, cached) against the demo PKI's files: a test that revokes a card clears its cache. */
export function demoRevocationChecker(pki: DemoPki): CachingRevocationChecker {
  return createRevocationChecker({ mode: 'crl', failOpen: false, fetch: demoRepository(pki) });
}

export interface SignedToken {
  nonce: string;
  signature: string;
  certificate: string;
  signatureType: 'PKCS1';
  cardSerial: string;
}

/**
 * What the local signer returns for a card: the challenge text signed (PKCS#1 v1.5, SHA-256) with the key of the
 * card's signing certificate, or of its encryption certificate when asked. The key comes out of the card's
 * PKCS#12 only with the card's PIN.
 */
export function signWithCard(
  pki: DemoPki,
  cardId: string,
  tbs: string,
  nonce: string,
  which: 'signing' | 'encryption' = 'signing',
): SignedToken {
  const card = pki.card(cardId);
  const wanted = which === 'signing' ? card.signingCertDer : card.encryptionCertDer;
  const entries = openPkcs12(readFileSync(card.p12Path), card.pin);
  const entry = entries.find((e) => e.certDer?.equals(wanted));
  if (!entry?.privateKey) throw new Error(`no ${which} key on card ${cardId}`);
  return {
    nonce,
    signature: sign('sha256', Buffer.from(tbs, 'utf8'), entry.privateKey).toString('base64'),
    certificate: wanted.toString('base64'),
    signatureType: 'PKCS1',
    cardSerial: card.cardSerial,
  };
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&');
}

/** The challenge a rendered page carries in its signer form: what the local signer would be asked to sign. */
export function challengeFrom(html: string): { tbs: string; nonce: string } {
  const form = /<form[^>]*id="signer-form"[\s\S]*?<\/form>/.exec(html)?.[0];
  if (!form) throw new Error('page has no signer form');
  const tbs = /name="tbs" value="([^"]*)"/.exec(form)?.[1];
  const nonce = /name="nonce" value="([^"]*)"/.exec(form)?.[1];
  if (tbs === undefined || !nonce) throw new Error('signer form has no challenge');
  return { tbs: unescapeHtml(tbs), nonce };
}
