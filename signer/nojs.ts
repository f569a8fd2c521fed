// The no-JavaScript path (DESIGN.md §2, §3.5): the portal's certificate page posts its form (with the PIN) here;
// the answer is a page 「憑證載入完成。」 whose 確定 button posts the signature back to the portal.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SignerContext } from './context.js';
import { httpStatusOf } from './context.js';
import { SignerError, toSignerError, type SignerErrorCode } from './errors.js';
import { escapeHtml, hidden, page } from './html.js';
import { BodyTooLarge, parseForm, readBody, sendHtml } from './http-util.js';
import { errorMessage, pickLang, t, type Lang } from './locale.js';
import { callerOrigin } from './origin-policy.js';

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;

function errorPage(lang: Lang, code: SignerErrorCode, triesLeft: number | undefined, back: URL | null): string {
  const text = t(lang);
  const link = back
    ? `<p class="actions"><a href="${escapeHtml(back.href)}">${escapeHtml(code === 'wrong_pin' || code === 'no_pin' || code === 'bad_pin_format' || code === 'no_card' || code === 'no_reader' ? text.back : text.backToPortal)}</a></p>`
    : `<p>${escapeHtml(text.closeWindow)}</p>`;
  return page({
    lang,
    title: text.errorTitle,
    kind: 'error',
    body: `<h1>${escapeHtml(text.errorTitle)}</h1>
<div role="alert">
<p id="reason" data-error="${escapeHtml(code)}">${escapeHtml(errorMessage(lang, code, triesLeft))}</p>
</div>
${link}`,
  });
}

export async function handleNojsSign(ctx: SignerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let fields: Record<string, string>;
  const caller = callerOrigin(req.headers);
  const refererUrl = ctx.policy.allowedUrl(req.headers.referer);
  try {
    fields = parseForm(await readBody(req));
  } catch (error) {
    const code = error instanceof BodyTooLarge ? 'tbs_too_large' : 'bad_request';
    sendHtml(res, httpStatusOf(code), errorPage(ctx.lang, code, undefined, refererUrl));
    return;
  }
  const lang = pickLang(fields.lang, ctx.lang);
  const returnUrl = ctx.policy.allowedUrl(fields.returnUrl);
  // The way back (to retype a wrong PIN): the page's own `backUrl`, since browsers send only the origin as the
  // Referer across sites (strict-origin-when-cross-origin); else the Referer; else the return URL's site.
  const sameSite = (url: URL | null) => (url && caller && url.origin === caller ? url : null);
  const back =
    sameSite(ctx.policy.allowedUrl(fields.backUrl)) ??
    refererUrl ??
    (sameSite(returnUrl) ? new URL('/', (returnUrl as URL).origin) : null);
  const fail = (error: unknown) => {
    const signerError = toSignerError(error);
    ctx.log({ event: 'sign-refused', channel: 'nojs', origin: caller, error: signerError.code });
    sendHtml(res, httpStatusOf(signerError.code), errorPage(lang, signerError.code, signerError.triesLeft, back));
  };

  // The site checks come before the rate limit, so a refused site never spends an allowed site's capacity.
  // (The bounded body is read first only for the language of the answer; reading it takes no token.)
  if (!ctx.policy.isAllowed(caller)) return fail(new SignerError('site_not_trusted'));
  if (!returnUrl || returnUrl.origin !== caller) return fail(new SignerError('site_not_trusted'));
  if (!ctx.service.limiter.allowRequest(caller)) return fail(new SignerError('busy'));
  if ('cancel' in fields) return fail(new SignerError('cancelled'));
  const nonce = fields.nonce ?? '';
  if (!NONCE.test(nonce)) return fail(new SignerError('bad_request', { message: 'bad nonce' }));
  // Browsers send form values with CRLF line ends; the challenge text is defined with LF.
  const tbsText = (fields.tbs ?? '').replace(/\r\n?/g, '\n');
  const tbs = Buffer.from(tbsText, 'utf8');

  let result;
  try {
    // The form carries a text to sign; a caller's own hash (RAW) belongs to the script channels.
    if (typeof fields.signatureType === 'string' && fields.signatureType.toUpperCase() === 'RAW')
      throw new SignerError('unsupported_algorithm');
    const checked = ctx.service.checkRequest({
      callerOrigin: caller,
      tbs,
      signatureType: fields.signatureType,
      pin: fields.pin,
    });
    if (checked.challenge && checked.challenge.nonce !== nonce) {
      throw new SignerError('bad_request', { message: 'nonce does not match the challenge' });
    }
    result = await ctx.service.sign({
      callerOrigin: caller,
      tbs,
      signatureType: fields.signatureType,
      pin: fields.pin,
      cardSerial: fields.cardSerial,
    });
  } catch (error) {
    return fail(error);
  }
  ctx.log({ event: 'signed', channel: 'nojs', origin: caller, cardSerial: result.cardSerial });

  const text = t(lang);
  const certificate = result.certificate;
  const body = `<h1 id="loaded">${escapeHtml(text.loaded)}</h1>
<dl>
<dt>${escapeHtml(text.holder)}</dt><dd>${escapeHtml(certificate.commonName)}</dd>
<dt>${escapeHtml(text.cardSerial)}</dt><dd>${escapeHtml(result.cardSerial)}</dd>
<dt>${escapeHtml(text.site)}</dt><dd>${escapeHtml(caller as string)}</dd>
</dl>
<p class="hint">${escapeHtml(text.continueHint)}</p>
<form method="post" action="${escapeHtml(returnUrl.href)}" aria-labelledby="loaded">
${hidden('nonce', nonce)}
${hidden('signature', result.signature.toString('base64'))}
${hidden('certificate', certificate.der.toString('base64'))}
${hidden('signatureType', result.signatureType)}
${hidden('cardSerial', result.cardSerial)}
${hidden('lang', lang)}
<div class="actions">
<button type="submit" autofocus>${escapeHtml(text.ok)}</button>
${back ? `<a href="${escapeHtml(back.href)}">${escapeHtml(text.cancel)}</a>` : ''}
</div>
</form>`;
  sendHtml(res, 200, page({ lang, title: text.loaded, kind: 'success', body }), [returnUrl.origin]);
}
