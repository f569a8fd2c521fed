// The HTTP API of the MOICA's HiPKI LocalSignServer, so one page script works against either signer:
// GET or POST /pkcs11info[?withcert=true], POST /sign (form field tbsPackage), GET /popupForm (popup + postMessage).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SignerContext } from './context.js';
import { SignerError, toSignerError } from './errors.js';
import { escapeHtml, page } from './html.js';
import { hipkiErrorBody, pkcs11InfoErrorBody } from './hipki-answer.js';
import { pkcs11Info } from './hipki-info.js';
import { BodyTooLarge, parseForm, readBody, sendHtml, sendJson } from './http-util.js';
import { pickLang, t } from './locale.js';
import { HIPKI_SIGN_VERSION, SIGNER_VERSION } from './version.js';
import { NO_ORIGIN } from './limiter.js';
import { callerOrigin } from './origin-policy.js';

/**
 * The func an answer carries for the func a package asked: what the client pages wait for. MakeSignature is answered
 * "sign", the certificate questions "pkcs11info", DecryptData (which this signer does not do) "decrypt"; any other
 * func is named back, so the page's own handler for it sees the refusal.
 */
function answerFunc(asked: unknown): string {
  if (asked === undefined || asked === 'MakeSignature') return 'sign';
  if (asked === 'GetUserCert' || asked === 'CheckEnvir' || asked === 'pkcs11info') return 'pkcs11info';
  if (asked === 'DecryptData') return 'decrypt';
  return typeof asked === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(asked) ? asked : 'sign';
}

/**
 * The component answers its JSON endpoints with HTTP 200 and the outcome in ret_code, failures included (a page
 * reads the code, not the status). Only "busy", which the component does not have, keeps its 429.
 */
function hipkiStatus(error: SignerError): number {
  return error.code === 'busy' ? 429 : 200;
}

/** CORS answers only for allow-listed origins; others get no CORS headers (the browser then hides the answer). */
function corsOrigin(ctx: SignerContext, req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  return ctx.cors && typeof origin === 'string' && ctx.policy.isAllowed(origin) ? origin : undefined;
}

export function handlePreflight(ctx: SignerContext, req: IncomingMessage, res: ServerResponse): void {
  const origin = corsOrigin(ctx, req);
  res.setHeader('Vary', 'Origin');
  if (!origin) {
    res.writeHead(403);
    res.end();
    return;
  }
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
  res.setHeader('Access-Control-Max-Age', '600');
  // Chrome's Private Network Access asks before a public page may call 127.0.0.1.
  if (req.headers['access-control-request-private-network'] === 'true') {
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
  res.writeHead(204);
  res.end();
}

/** Whether a request comes from the signer's own popup page, which names its opener in an `origin` parameter. */
function fromOwnPopup(ctx: SignerContext, caller: string | null): boolean {
  return caller !== null && ctx.selfOrigins.has(caller);
}

function postedWithCert(body: Buffer): boolean {
  const text = body.toString('utf8').trim();
  if (text.startsWith('{')) {
    try {
      const value = (JSON.parse(text) as Record<string, unknown>).withcert;
      return value === true || value === 'true';
    } catch {
      return false;
    }
  }
  return parseForm(body).withcert === 'true';
}

export async function handlePkcs11Info(
  ctx: SignerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const cors = corsOrigin(ctx, req);
  const opener = url.searchParams.get('origin');
  const caller = callerOrigin(req.headers);
  const popup = fromOwnPopup(ctx, caller);
  // A page on another origin, or a popup opened by one, that is not on the allow-list learns nothing.
  if ((caller && !popup && !ctx.policy.isAllowed(caller)) || (opener !== null && !ctx.policy.isAllowed(opener))) {
    sendJson(res, 200, pkcs11InfoErrorBody(new SignerError('site_not_trusted'), ctx.lang));
    return;
  }
  // Counted for the site asking: the popup's opener, else the page; callers with neither header share one count,
  // since only the popup may name an opener (a no-referrer request from any page must not spend an allowed site's).
  const rateKey = popup ? (opener ?? (caller as string)) : (caller ?? NO_ORIGIN);
  if (!ctx.service.limiter.allowRequest(rateKey)) {
    sendJson(res, 429, pkcs11InfoErrorBody(new SignerError('busy'), ctx.lang), cors);
    return;
  }
  let withCert = url.searchParams.get('withcert') === 'true';
  // The SDK posts the same question; its fields come as a form or as JSON, and the query still counts.
  if (req.method === 'POST') {
    try {
      withCert = withCert || postedWithCert(await readBody(req, 4096));
    } catch (error) {
      sendJson(
        res,
        200,
        pkcs11InfoErrorBody(new SignerError(error instanceof BodyTooLarge ? 'tbs_too_large' : 'bad_request'), ctx.lang),
        cors,
      );
      return;
    }
  }
  sendJson(res, 200, await pkcs11Info(ctx.service, withCert, ctx.lang), cors);
}

/** HiPKI pages send the tbs and the PIN URI-encoded inside the JSON. */
function uriDecoded(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export async function handleSign(ctx: SignerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const cors = corsOrigin(ctx, req);
  const answer = (status: number, body: unknown) => sendJson(res, status, body, cors);
  // The package may name its language; failures before it is read are in the signer's.
  let lang = ctx.lang;
  const fail = (error: unknown, origin: string | null, func = 'sign') => {
    const signerError = toSignerError(error);
    ctx.log({ event: 'sign-refused', channel: 'hipki', origin, error: signerError.code });
    answer(hipkiStatus(signerError), hipkiErrorBody(func, signerError, lang));
  };
  const caller = callerOrigin(req.headers);
  const popup = fromOwnPopup(ctx, caller);
  // A page off the allow-list is refused before its body is read or any rate-limit token is taken.
  if (!popup && !ctx.policy.isAllowed(caller)) return fail(new SignerError('site_not_trusted'), caller);
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (error) {
    return fail(new SignerError(error instanceof BodyTooLarge ? 'tbs_too_large' : 'bad_request'), null);
  }
  const text = body.toString('utf8');
  const type = String(req.headers['content-type'] ?? '');
  let packageText: string | undefined;
  let opener: string | undefined;
  if (type.startsWith('application/json') || text.trimStart().startsWith('{')) {
    packageText = text;
  } else {
    const form = parseForm(body);
    packageText = form.tbsPackage;
    opener = form.origin;
  }
  // The popup's opener is known only from the body; it must be allowed too, before a token is taken.
  const origin = popup ? (opener ?? null) : caller;
  if (!ctx.policy.isAllowed(origin)) return fail(new SignerError('site_not_trusted'), origin);
  if (!ctx.service.limiter.allowRequest(origin)) return fail(new SignerError('busy'), origin);
  if (!packageText) return fail(new SignerError('bad_request', { message: 'no tbsPackage' }), origin);
  let tbsPackage: Record<string, unknown>;
  try {
    const parsed = JSON.parse(packageText) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    tbsPackage = parsed as Record<string, unknown>;
  } catch {
    return fail(new SignerError('bad_json'), origin);
  }
  lang = pickLang(tbsPackage.lang, ctx.lang);
  if (tbsPackage.func !== undefined && tbsPackage.func !== 'MakeSignature') {
    return fail(new SignerError('unknown_message'), origin, answerFunc(tbsPackage.func));
  }
  const tbsValue = uriDecoded(tbsPackage.tbs);
  if (typeof tbsValue !== 'string' || tbsValue === '') return fail(new SignerError('tbs_missing'), origin);
  const encoding = typeof tbsPackage.tbsEncoding === 'string' ? tbsPackage.tbsEncoding.toLowerCase() : 'none';
  if (!['none', 'base64', 'utf8', 'utf-8', ''].includes(encoding)) return fail(new SignerError('bad_request'), origin);
  const tbs = encoding === 'base64' ? Buffer.from(tbsValue, 'base64') : Buffer.from(tbsValue, 'utf8');
  try {
    const result = await ctx.service.sign({
      callerOrigin: origin,
      tbs,
      hashAlgorithm: tbsPackage.hashAlgorithm,
      signatureType: tbsPackage.signatureType,
      pin: uriDecoded(tbsPackage.pin),
      cardSerial: tbsPackage.cardSN ?? tbsPackage.cardSerial,
      // The reader to sign with, as the SDK names it from /pkcs11info; an empty one means the default.
      slotDescription: tbsPackage.slotDescription,
      detached: tbsPackage.detached === true || tbsPackage.detached === 'true',
    });
    ctx.log({ event: 'signed', channel: 'hipki', origin, cardSerial: result.cardSerial });
    answer(200, {
      func: 'sign',
      ret_code: 0,
      last_error: 0,
      signature: result.signature.toString('base64'),
      certb64: result.certificate.der.toString('base64'),
      cardSN: result.cardSerial,
      signatureType: result.signatureType,
      version: HIPKI_SIGN_VERSION,
      signerVersion: SIGNER_VERSION,
    });
  } catch (error) {
    fail(error, origin);
  }
}

export function handlePopupForm(ctx: SignerContext, res: ServerResponse, url: URL): void {
  const lang = pickLang(url.searchParams.get('lang'), ctx.lang);
  const text = t(lang);
  const html = page({
    lang,
    title: text.popupTitle,
    body: `<h1>${escapeHtml(text.popupTitle)}</h1>
<p id="status" role="status">${escapeHtml(text.popupWorking)}</p>
<p id="no-opener" hidden>${escapeHtml(text.closeWindow)}</p>
<script src="/popup.js"></script>`,
  });
  sendHtml(res, 200, html);
}
