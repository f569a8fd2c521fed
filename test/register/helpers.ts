// Registration tests run against real certificates and real signatures: a demo PKI made for the test file, the
// portal's card verifier on the certificate engine (path validation to the demo root, CRL revocation), and
// challenges signed with the demo card's own key, opened from its PKCS#12 with its PIN.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { sign } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createDemoPki, type DemoCardSpec, type DemoPki } from '../../server/pki/dev/demo-pki';
import { openPkcs12 } from '../../server/pki/dev/pkcs12';
import { createTrustStore } from '../../server/pki/index';
import { createRevocationChecker } from '../../server/pki/revocation/index';
import type { CardVerifier } from '../../server/auth/certificate-identity';
import { engineCardVerifier } from '../../server/auth/card-verifier';
import { buildTestApp, type TestApp } from '../helpers/app';
import { idChecksumValid, LETTER_VALUES } from '../../server/forms/national-id';

export const DEMO_BASE_URL = 'http://demo-pki.test';

/** A fresh demo PKI (2048-bit CA keys to keep it quick) and a function to throw it away. */
export async function makeDemoPki(now = new Date(), cards?: readonly DemoCardSpec[]): Promise<{ pki: DemoPki; remove(): void }> {
  const root = mkdtempSync(join(tmpdir(), 'register-demo-pki-'));
  const pki = await createDemoPki(join(root, 'pki'), { keyBits: 2048, baseUrl: DEMO_BASE_URL, now, cards });
  return { pki, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Serves the demo CAs' CRLs from disk at the URLs the certificates name, as the portal serves them in demo mode. */
function demoRepository(pki: DemoPki): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const file = /^\/demo-pki\/(root|g2|g3)\.crl$/.exec(url.pathname);
    if (url.origin !== DEMO_BASE_URL || !file) return new Response('not found', { status: 404 });
    return new Response(readFileSync(pki.path(`${file[1]}.crl`)), { status: 200, headers: { 'content-type': 'application/pkix-crl' } });
  }) as typeof fetch;
}

/**
 * The portal's own card verifier (server/auth/card-verifier.ts, on the certificate engine) for a demo PKI: the demo
 * root as the (demo) trust anchor, its intermediates, CRL revocation fail-closed; the challenge signature in either
 * format the card component returns.
 */
export function demoCardVerifier(pki: DemoPki): CardVerifier {
  const trustStore = createTrustStore({
    anchors: [{ cert: pki.rootDer, isDemo: true, source: 'demo' }],
    intermediates: pki.intermediates.map((i) => i.certDer),
    production: false,
  });
  const revocation = createRevocationChecker({ mode: 'crl', failOpen: false, fetch: demoRepository(pki) });
  return engineCardVerifier({ trustStore, revocation, refuseDemoAnchors: false });
}

/** The real app on its own schema, with the card verifier given. */
export function buildRegisterApp(cardVerifier: CardVerifier, env: Record<string, string> = {}): Promise<TestApp> {
  return buildTestApp(env, { cardVerifier });
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
export function signWithCard(pki: DemoPki, cardId: string, tbs: string, nonce: string, which: 'signing' | 'encryption' = 'signing'): SignedToken {
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
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
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

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('page has no CSRF token');
  return match[1];
}

let clientCount = 0;

/** One browser: a cookie jar and its own client address (rate limits are per address). */
export class Client {
  cookies = new Map<string, string>();
  readonly address: string;
  constructor(private readonly app: FastifyInstance, address?: string) {
    clientCount += 1;
    this.address = address ?? `10.${(clientCount >> 16) & 255}.${(clientCount >> 8) & 255}.${clientCount & 255}`;
  }

  get cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return response;
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({ method: 'GET', url, remoteAddress: this.address, headers: { cookie: this.cookieHeader } }));
  }

  async post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.remember(await this.app.inject({
      method: 'POST', url, remoteAddress: this.address,
      headers: { cookie: this.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    }));
  }
}

/** A national ID with a valid checksum that ends in `last4` (another person whose ID shares a card's last four digits). */
export function nationalIdEndingIn(last4: string, letter = 'K', sex: '1' | '2' = '1'): string {
  for (let n = 0; n < 10000; n++) {
    const middle = String(n).padStart(4, '0');
    const candidate = `${letter}${sex}${middle}${last4}`;
    // The check digit is the last one, so only some prefixes fit a given ending: try them until one does.
    if (LETTER_VALUES[letter] !== undefined && idChecksumValid(letter, Number(sex), candidate.slice(2))) return candidate;
  }
  throw new Error(`no valid ID ends in ${last4}`);
}

/** The details of the seed's form, filled in for a demo card's holder. */
export function detailsFor(card: { holderName: string; idNumber: string }, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    category: 'individual',
    name: card.holderName,
    idNumber: card.idNumber,
    birthDate: '69/05/17',
    phone: '0912-345-678',
    address: '臺北市中正區忠孝西路一段 1 號',
    password: 'Harbour2Light',
    passwordConfirm: 'Harbour2Light',
    email1: 'applicant@example.com.tw',
    email2: '',
    ...overrides,
  };
}
