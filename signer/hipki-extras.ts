// The HiPKI component's other resources that clients use: /p11Image.bmp (the /pkcs11info answer packed into the
// pixels of an image, which a page reads through a canvas where it may not read JSON), /waiting.gif (clients load it
// to tell whether the component runs), the trusted-site page /addDomain, and /ChtPopupForm (the SDK's popup).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SignerContext } from './context.js';
import { HIPKI_CODES, hipkiLastError, SignerError, toSignerError } from './errors.js';
import { pkcs11Info } from './hipki-info.js';
import { escapeHtml, hidden, page } from './html.js';
import { baseHeaders, parseForm, readBody, sendHtml } from './http-util.js';
import { pickLang } from './locale.js';
import { callerOrigin, normalizeOrigin } from './origin-policy.js';

/**
 * A 24-bit BMP, one row, whose pixels carry the bytes of `text` three to a pixel (red, green, blue), zeros after.
 * The text is ASCII (JSON with \u escapes), so a page reading the canvas needs no UTF-8 decoding.
 */
export function textToBmp(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1');
  const width = Math.max(1, Math.ceil((bytes.length + 1) / 3));
  const rowSize = Math.ceil((width * 3) / 4) * 4;
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + rowSize, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(1, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(rowSize, 34);
  const row = Buffer.alloc(rowSize);
  for (let i = 0; i < bytes.length; i++) {
    const pixel = Math.floor(i / 3);
    const channel = i % 3; // BMP stores blue, green, red
    row[pixel * 3 + (2 - channel)] = bytes[i];
  }
  return Buffer.concat([header, row]);
}

const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export async function handleP11Image(
  ctx: SignerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const origin = callerOrigin(req.headers);
  let body: unknown;
  if (!ctx.policy.isAllowed(origin)) {
    const error = new SignerError('site_not_trusted');
    body = {
      func: 'pkcs11info',
      ret_code: HIPKI_CODES[error.code],
      last_error: hipkiLastError(error),
      error: error.code,
    };
  } else if (!ctx.service.limiter.allowRequest(origin)) {
    body = { func: 'pkcs11info', ret_code: HIPKI_CODES.busy, last_error: 0, error: 'busy' };
  } else {
    try {
      body = await pkcs11Info(ctx.service, url.searchParams.get('withcert') === 'true');
    } catch (error) {
      const e = toSignerError(error);
      body = { func: 'pkcs11info', ret_code: HIPKI_CODES[e.code], last_error: hipkiLastError(e), error: e.code };
    }
  }
  baseHeaders(res);
  res.setHeader('Vary', 'Origin');
  // The image is read through a canvas: only an allowed site gets the CORS header that leaves the canvas readable.
  if (ctx.policy.isAllowed(origin) && typeof req.headers.origin === 'string') {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  }
  res.writeHead(200, { 'Content-Type': 'image/bmp' });
  res.end(textToBmp(asciiJson(body)));
}

// A 1×1 transparent GIF: what matters to clients is that it loads.
const WAITING_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export function handleWaitingGif(res: ServerResponse): void {
  baseHeaders(res);
  // Any page may embed it: it tells only that the signer runs, which the port answering tells anyway.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.writeHead(200, { 'Content-Type': 'image/gif' });
  res.end(WAITING_GIF);
}

/** The sites the user added through /addDomain, kept in the signer's state folder across restarts. */
export class TrustedSitesFile {
  constructor(readonly file: string) {}

  read(): string[] {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { sites?: unknown };
      return Array.isArray(parsed.sites)
        ? parsed.sites.filter((s): s is string => typeof s === 'string' && normalizeOrigin(s) === s)
        : [];
    } catch {
      return [];
    }
  }

  add(origin: string): void {
    const sites = [...new Set([...this.read(), origin])];
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ sites }, null, 2) + '\n', { mode: 0o600 });
    renameSync(temp, this.file);
  }
}

const ADD_TEXT = {
  'zh-TW': {
    title: '請先加入信任網站',
    ask: (site: string) =>
      `是否將「${site}」加入信任網站？加入後，此網站可以請憑證元件讀取卡片資料，並在您輸入PIN碼後簽章。`,
    add: '加入信任網站',
    cancel: '取消',
    added: (site: string) => `已將「${site}」加入信任網站。請回到網站再試一次。`,
    cancelled: '未加入信任網站。',
    already: (site: string) => `「${site}」已是信任網站。`,
    bad: '網址不正確：信任網站須為 http 或 https 網址。',
  },
  en: {
    title: 'Add the site to the trusted sites first',
    ask: (site: string) =>
      `Add "${site}" to the trusted sites? A trusted site may ask the signer for the card's details, and for a signature once you enter your PIN.`,
    add: 'Add to trusted sites',
    cancel: 'Cancel',
    added: (site: string) => `"${site}" is now a trusted site. Go back to the site and try again.`,
    cancelled: 'The site was not added.',
    already: (site: string) => `"${site}" is already a trusted site.`,
    bad: 'Not a valid address: a trusted site is an http or https address.',
  },
};

/** GET: the confirmation page for ?domain=<site> (else the page that opened it, by its Referer). */
export function handleAddDomainPage(ctx: SignerContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const lang = pickLang(url.searchParams.get('lang'), ctx.lang);
  const text = ADD_TEXT[lang];
  const asked = url.searchParams.get('domain');
  const site = asked
    ? normalizeOrigin(/^https?:\/\//i.test(asked) ? asked : `https://${asked}`)
    : callerOrigin(req.headers);
  if (!site || ctx.selfOrigins.has(site)) {
    sendHtml(
      res,
      400,
      page({
        lang,
        title: text.title,
        kind: 'error',
        body: `<h1>${escapeHtml(text.title)}</h1><p data-error="bad_request">${escapeHtml(text.bad)}</p>`,
      }),
    );
    return;
  }
  if (ctx.policy.isAllowed(site)) {
    sendHtml(
      res,
      200,
      page({
        lang,
        title: text.title,
        kind: 'success',
        body: `<h1>${escapeHtml(text.title)}</h1><p id="result" data-result="already">${escapeHtml(text.already(site))}</p>`,
      }),
    );
    return;
  }
  sendHtml(
    res,
    200,
    page({
      lang,
      title: text.title,
      body: `<h1>${escapeHtml(text.title)}</h1>
<form method="post" action="/addDomain">
<p>${escapeHtml(text.ask(site))}</p>
${hidden('domain', site)}${hidden('lang', lang)}
<div class="actions"><button type="submit" name="answer" value="add">${escapeHtml(text.add)}</button>
<button type="submit" name="answer" value="cancel">${escapeHtml(text.cancel)}</button></div>
</form>`,
    }),
  );
}

/** POST from the confirmation page only (its Origin is the signer's own): the user's answer. */
export async function handleAddDomain(
  ctx: SignerContext,
  req: IncomingMessage,
  res: ServerResponse,
  trusted: TrustedSitesFile,
): Promise<void> {
  const caller = callerOrigin(req.headers);
  let fields: Record<string, string> = {};
  try {
    fields = parseForm(await readBody(req, 4096));
  } catch {
    // refused below
  }
  const lang = pickLang(fields.lang, ctx.lang);
  const text = ADD_TEXT[lang];
  const site = normalizeOrigin(fields.domain ?? '');
  // Another site posting here would add itself without the user seeing the question.
  if (!caller || !ctx.selfOrigins.has(caller) || !site || site !== fields.domain || ctx.selfOrigins.has(site)) {
    sendHtml(
      res,
      403,
      page({
        lang,
        title: text.title,
        kind: 'error',
        body: `<h1>${escapeHtml(text.title)}</h1><p data-error="bad_request">${escapeHtml(text.bad)}</p>`,
      }),
    );
    return;
  }
  if (fields.answer !== 'add') {
    sendHtml(
      res,
      200,
      page({
        lang,
        title: text.title,
        body: `<h1>${escapeHtml(text.title)}</h1><p id="result" data-result="cancelled">${escapeHtml(text.cancelled)}</p>`,
      }),
    );
    return;
  }
  trusted.add(site);
  ctx.policy.add(site);
  ctx.log({ event: 'site-trusted', origin: site });
  sendHtml(
    res,
    200,
    page({
      lang,
      title: text.title,
      kind: 'success',
      body: `<h1>${escapeHtml(text.title)}</h1><p id="result" data-result="added">${escapeHtml(text.added(site))}</p>`,
    }),
  );
}
