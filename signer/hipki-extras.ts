// The HiPKI component's other resources that clients use: /p11Image.bmp (the /pkcs11info answer packed into the
// pixels of an image, which a page reads through a canvas where it may not read JSON), /waiting.gif (the picture of
// the clients' waiting window), and the trusted-site page /addDomain.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SignerContext } from './context.js';
import { SignerError } from './errors.js';
import { pkcs11InfoErrorBody } from './hipki-answer.js';
import { pkcs11Info } from './hipki-info.js';
import { escapeHtml, hidden, page } from './html.js';
import { baseHeaders, parseForm, readBody, sendHtml } from './http-util.js';
import { pickLang } from './locale.js';
import { callerOrigin, normalizeDomain, normalizeOrigin } from './origin-policy.js';

/** The component's image: 2000 pixels by one, 24 bits, whatever the text's length (clients draw it on such a canvas). */
const P11_IMAGE_WIDTH = 2000;

/**
 * A 24-bit BMP, one row, whose pixel bytes are the bytes of `text` in file order (so a pixel holds three of them as
 * blue, green, red), zeros after: clients read each pixel's blue, green, red back (or the file's bytes after its
 * 54-byte header) up to the first zero. The text is padded with spaces to a whole pixel, since a reader stops only
 * at a pixel whose first byte is zero and JSON.parse refuses the zeros of a part-filled one. The text is ASCII (JSON
 * with \u escapes), so neither way of reading needs UTF-8 decoding. Wider than 2000 pixels only for a longer text.
 */
export function textToBmp(text: string): Buffer {
  const padded = text + ' '.repeat((3 - (text.length % 3)) % 3);
  const bytes = Buffer.from(padded, 'latin1');
  const width = Math.max(P11_IMAGE_WIDTH, bytes.length / 3 + 1);
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
  bytes.copy(row);
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
    body = pkcs11InfoErrorBody(new SignerError('site_not_trusted'), ctx.lang);
  } else if (!ctx.service.limiter.allowRequest(origin)) {
    body = pkcs11InfoErrorBody(new SignerError('busy'), ctx.lang);
  } else {
    body = await pkcs11Info(ctx.service, url.searchParams.get('withcert') === 'true', ctx.lang);
  }
  baseHeaders(res);
  // Any page may read the image (through a canvas, or as bytes): a site off the list reads only that it is not
  // trusted, which is what lets its page offer /addDomain. What a trusted site reads is decided by its own Origin.
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.writeHead(200, { 'Content-Type': 'image/bmp' });
  res.end(textToBmp(asciiJson(body)));
}

// A 1×1 transparent GIF. Client pages open it in the small window they show while they call the component
// directly (the Internet Explorer path of the samples), and may load it to see that the component runs.
const WAITING_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export function handleWaitingGif(res: ServerResponse): void {
  baseHeaders(res);
  // Any page may embed it: it tells only that the signer runs, which the port answering tells anyway.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.writeHead(200, { 'Content-Type': 'image/gif' });
  res.end(WAITING_GIF);
}

/** A site to trust: an exact origin (http(s)://host[:port]), or a host name as HiPKI clients send it. */
export type TrustedSite = { kind: 'origin'; value: string } | { kind: 'domain'; value: string };

export function parseTrustedSite(value: string): TrustedSite | null {
  if (/^https?:\/\//i.test(value)) {
    const origin = normalizeOrigin(value);
    return origin ? { kind: 'origin', value: origin } : null;
  }
  const domain = normalizeDomain(value);
  return domain ? { kind: 'domain', value: domain } : null;
}

/** The sites the user added through /addDomain, kept in the signer's state folder across restarts. */
export class TrustedSitesFile {
  constructor(readonly file: string) {}

  read(): { sites: string[]; domains: string[] } {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { sites?: unknown; domains?: unknown };
      const list = (value: unknown, check: (s: string) => string | null) =>
        Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string' && check(s) === s) : [];
      return { sites: list(parsed.sites, normalizeOrigin), domains: list(parsed.domains, normalizeDomain) };
    } catch {
      return { sites: [], domains: [] };
    }
  }

  add(site: TrustedSite): void {
    const saved = this.read();
    const sites = site.kind === 'origin' ? [...new Set([...saved.sites, site.value])] : saved.sites;
    const domains = site.kind === 'domain' ? [...new Set([...saved.domains, site.value])] : saved.domains;
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ sites, domains }, null, 2) + '\n', { mode: 0o600 });
    renameSync(temp, this.file);
  }
}

const ADD_TEXT = {
  'zh-TW': {
    title: '請先加入信任網站',
    ask: (site: string) =>
      `是否將「${site}」加入信任網站？加入後，此網站可以請憑證元件讀取卡片資料，並在您輸入PIN碼後簽章。`,
    askDomain: (site: string) =>
      `是否將「${site}」加入信任網站？加入後，這個網站（https 網址，任何連接埠）可以請憑證元件讀取卡片資料，並在您輸入PIN碼後簽章。`,
    add: '加入信任網站',
    cancel: '取消',
    added: (site: string) => `已將「${site}」加入信任網站。請回到網站再試一次。`,
    cancelled: '未加入信任網站。',
    already: (site: string) => `「${site}」已是信任網站。`,
    bad: '網址不正確：信任網站須為網站名稱，或 http、https 網址。',
  },
  en: {
    title: 'Add the site to the trusted sites first',
    ask: (site: string) =>
      `Add "${site}" to the trusted sites? A trusted site may ask the signer for the card's details, and for a signature once you enter your PIN.`,
    askDomain: (site: string) =>
      `Add "${site}" to the trusted sites? This site (its https addresses, any port) may then ask the signer for the card's details, and for a signature once you enter your PIN.`,
    add: 'Add to trusted sites',
    cancel: 'Cancel',
    added: (site: string) => `"${site}" is now a trusted site. Go back to the site and try again.`,
    cancelled: 'The site was not added.',
    already: (site: string) => `"${site}" is already a trusted site.`,
    bad: 'Not a valid address: a trusted site is a host name, or an http or https address.',
  },
};

function isTrusted(ctx: SignerContext, site: TrustedSite): boolean {
  return site.kind === 'origin' ? ctx.policy.isAllowed(site.value) : ctx.policy.domains.includes(site.value);
}

/** The page that opened /addDomain, when it is on the site asked for: where the outcome is posted (else to any). */
function openerOf(value: string | null | undefined, site: TrustedSite): string | null {
  const origin = value ? normalizeOrigin(value) : null;
  if (!origin) return null;
  if (site.kind === 'origin') return origin === site.value ? origin : null;
  return new URL(origin).hostname === site.value ? origin : null;
}

/**
 * The outcome, which /adddomain.js posts to the page that opened this window as the component does
 * ({"ret_code":0} once added; the page then reloads), and shows here.
 */
function resultPage(
  lang: keyof typeof ADD_TEXT,
  kind: 'success' | 'error' | undefined,
  result: 'added' | 'already' | 'cancelled' | 'bad',
  text: string,
  retCode: number,
  opener: string | null,
): string {
  const attrs = `id="result" data-result="${result}" data-ret-code="${retCode}" data-opener="${escapeHtml(opener ?? '*')}"${
    result === 'bad' ? ' data-error="bad_request"' : ''
  }`;
  return page({
    lang,
    title: ADD_TEXT[lang].title,
    kind,
    body: `<h1>${escapeHtml(ADD_TEXT[lang].title)}</h1><p ${attrs}>${escapeHtml(text)}</p>
<script src="/adddomain.js"></script>`,
  });
}

const RET_CANCELLED = 0x76000999;
const RET_BAD_PARAMETER = 0x7600000c;

/** GET: the confirmation page for ?domain=<host name or origin> (else the page that opened it, by its Referer). */
export function handleAddDomainPage(ctx: SignerContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const lang = pickLang(url.searchParams.get('lang'), ctx.lang);
  const text = ADD_TEXT[lang];
  const asked = url.searchParams.get('domain');
  const caller = callerOrigin(req.headers);
  const site: TrustedSite | null = asked ? parseTrustedSite(asked) : caller ? { kind: 'origin', value: caller } : null;
  if (!site || (site.kind === 'origin' && ctx.selfOrigins.has(site.value))) {
    sendHtml(res, 400, resultPage(lang, 'error', 'bad', text.bad, RET_BAD_PARAMETER, null));
    return;
  }
  const opener = openerOf(caller, site);
  if (isTrusted(ctx, site)) {
    sendHtml(res, 200, resultPage(lang, 'success', 'already', text.already(site.value), 0, opener));
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
<p>${escapeHtml(site.kind === 'domain' ? text.askDomain(site.value) : text.ask(site.value))}</p>
${hidden('domain', site.value)}${hidden('lang', lang)}${opener ? hidden('opener', opener) : ''}
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
  const site = parseTrustedSite(fields.domain ?? '');
  // Another site posting here would add itself without the user seeing the question.
  if (
    !caller ||
    !ctx.selfOrigins.has(caller) ||
    !site ||
    site.value !== fields.domain ||
    (site.kind === 'origin' && ctx.selfOrigins.has(site.value))
  ) {
    sendHtml(res, 403, resultPage(lang, 'error', 'bad', text.bad, RET_BAD_PARAMETER, null));
    return;
  }
  const opener = openerOf(fields.opener, site);
  if (fields.answer !== 'add') {
    sendHtml(res, 200, resultPage(lang, undefined, 'cancelled', text.cancelled, RET_CANCELLED, opener));
    return;
  }
  trusted.add(site);
  if (site.kind === 'origin') ctx.policy.add(site.value);
  else ctx.policy.addDomain(site.value);
  ctx.log({ event: 'site-trusted', origin: site.value });
  sendHtml(res, 200, resultPage(lang, 'success', 'added', text.added(site.value), 0, opener));
}
