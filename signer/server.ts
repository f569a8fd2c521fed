// The local signer: one HTTP server on 127.0.0.1 serving the no-JS pages, the HiPKI-compatible API and the
// WebSocket channel (DESIGN.md §4). `startSigner` is the whole program; main.ts only reads options.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ADD_DOMAIN_JS, POPUP_JS, SIGNER_CSS } from './assets.js';
import type { SignerContext, SignerEvent } from './context.js';
import { demoSoftCards } from './demo-cards.js';
import { escapeHtml, page } from './html.js';
import { handlePkcs11Info, handlePopupForm, handlePreflight, handleSign } from './hipki.js';
import {
  handleAddDomain,
  handleAddDomainPage,
  handleP11Image,
  handleWaitingGif,
  TrustedSitesFile,
} from './hipki-extras.js';
import { parseForm, readBody, sendHtml, sendText } from './http-util.js';
import type { OriginLimits } from './limiter.js';
import { errorMessage, pickLang, t, type Lang } from './locale.js';
import { handleNojsSign } from './nojs.js';
import { handleReadyBadge } from './ready-badge.js';
import { callerOrigin, OriginPolicy } from './origin-policy.js';
import { SigningService } from './signing.js';
import { Pkcs12Backend, type SoftCardConfig } from './tokens/pkcs12.js';
import type { TokenBackend } from './tokens/types.js';
import { DEFAULT_PORT, SIGNER_VERSION } from './version.js';
import { WebSocketChannel } from './ws-channel.js';

export const DEFAULT_ALLOWED_ORIGIN = 'http://localhost:3000';

export interface StartSignerOptions {
  /** TCP port on 127.0.0.1; default 61161, 0 for any free port (tests). */
  port?: number;
  /** Origins the signer works for; default http://localhost:3000 and PUBLIC_ORIGIN when set. */
  allowOrigins?: string[];
  /** Language of pages and messages when a request does not say; default zh-TW. */
  lang?: Lang;
  /** Soft cards: PKCS#12 files (each one card, its password the PIN), or their full descriptions. */
  p12?: Array<string | SoftCardConfig>;
  /** A demo PKI folder (its manifest.json): its soft cards are inserted, after any `p12` cards. */
  demoPkiDir?: string;
  /** A PKCS#11 module (a card vendor's, or SoftHSM2) and optionally one slot index. */
  pkcs11?: { module: string; slot?: number };
  /** The card used when a request names none (serial); default the first card. Changeable on the signer's page. */
  insertedCard?: string;
  /** Where the signer keeps its own wrong-PIN counts for PKCS#11 tokens; default ~/.sw-signer. */
  stateDir?: string;
  /**
   * Requests per second and card operations in progress, each counted per calling origin (OriginLimits), and
   * WebSocket connections over all origins and per origin (`now`: a clock for tests).
   */
  limits?: OriginLimits & { maxConnections?: number; maxConnectionsPerOrigin?: number };
  /** Receives structured events (never a PIN, a text to sign or a signature). */
  log?: (event: SignerEvent) => void;
  /** CORS headers on /pkcs11info and /sign for allowed sites; default on. Off answers as the real component (none). */
  cors?: boolean;
  /** HTTP timeouts in milliseconds (tests shorten them); see SIGNER_TIMEOUTS. */
  timeouts?: Partial<SignerTimeouts>;
}

export interface SignerTimeouts {
  /** A whole request, headers and body. */
  requestMs: number;
  /** A request's headers. */
  headersMs: number;
  /** An idle keep-alive connection between requests. */
  keepAliveMs: number;
  /** A connection with nothing read or written (a WebSocket is exempt: its own pings and limits apply). */
  idleMs: number;
}

/** A slow or stalled page must not hold one of the signer's connections. */
export const SIGNER_TIMEOUTS: SignerTimeouts = {
  requestMs: 30_000,
  headersMs: 10_000,
  keepAliveMs: 5_000,
  idleMs: 60_000,
};

export interface RunningSigner {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  service: SigningService;
  close(): Promise<void>;
}

export function defaultAllowedOrigins(env: Record<string, string | undefined> = process.env): string[] {
  const origins = [DEFAULT_ALLOWED_ORIGIN];
  if (env.PUBLIC_ORIGIN) origins.push(env.PUBLIC_ORIGIN);
  return origins;
}

async function openBackends(options: StartSignerOptions): Promise<TokenBackend[]> {
  const backends: TokenBackend[] = [];
  const softCards: SoftCardConfig[] = (options.p12 ?? []).map((c) => (typeof c === 'string' ? { p12File: c } : c));
  if (options.demoPkiDir) softCards.push(...demoSoftCards(options.demoPkiDir));
  if (softCards.length > 0) backends.push(new Pkcs12Backend(softCards));
  if (options.pkcs11) {
    const { Pkcs11Backend } = await import('./tokens/pkcs11.js');
    backends.push(await Pkcs11Backend.open({ ...options.pkcs11, stateDir: options.stateDir }));
  }
  return backends;
}

function statusPage(
  ctx: SignerContext,
  lang: Lang,
  cards: Awaited<ReturnType<SigningService['cards']>>,
  readers: number,
): string {
  const text = t(lang);
  const inserted = cards.find((c) => c.serial === ctx.service.insertedCard) ?? cards[0];
  const chooser =
    cards.length > 1
      ? `<form method="post" action="/cards/insert">
<fieldset><legend>${escapeHtml(text.chooseCard)}</legend>
${cards
  .map(
    (card, i) =>
      `<div><input type="radio" name="cardSerial" id="card-${i}" value="${escapeHtml(card.serial)}"${card === inserted ? ' checked' : ''}> <label for="card-${i}">${escapeHtml(card.label)} ${escapeHtml(card.serial)}</label></div>`,
  )
  .join('\n')}
</fieldset>
<input type="hidden" name="lang" value="${lang}">
<div class="actions"><button type="submit">${escapeHtml(text.insert)}</button></div>
</form>`
      : '';
  const rows = cards
    .map(
      (card) =>
        `<tr><td>${escapeHtml(card.slotDescription)}${card === inserted ? ` (${escapeHtml(text.inUse)})` : ''}</td><td>${escapeHtml(card.label)}</td><td>${escapeHtml(card.serial)}</td><td>${card.certificates
          .map(
            (c) =>
              `${escapeHtml(c.commonName)} (${escapeHtml(c.usage === 'signing' ? text.signing : c.usage === 'encryption' ? text.encryption : text.other)})`,
          )
          .join('<br>')}</td></tr>`,
    )
    .join('\n');
  const other = lang === 'en' ? 'zh-TW' : 'en';
  return page({
    lang,
    title: text.signerName,
    body: `<h1>${escapeHtml(text.running)}</h1>
<p><a href="/?lang=${other}" lang="${other}" hreflang="${other}">${other === 'en' ? 'English' : '中文'}</a></p>
<dl><dt>${escapeHtml(text.version)}</dt><dd>${escapeHtml(SIGNER_VERSION)}</dd></dl>
<h2>${escapeHtml(text.readers)}</h2>
${
  cards.length === 0
    ? `<p>${escapeHtml(readers === 0 ? errorMessage(lang, 'no_reader') : text.noCards)}</p>`
    : `<table><caption class="hint">${escapeHtml(text.readers)}</caption><thead><tr><th scope="col">${escapeHtml(text.reader)}</th><th scope="col">${escapeHtml(text.card)}</th><th scope="col">${escapeHtml(text.cardSerial)}</th><th scope="col">${escapeHtml(text.certificates)}</th></tr></thead><tbody>
${rows}
</tbody></table>
${chooser}`
}
<h2>${escapeHtml(text.allowed)}</h2>
<ul>${[...ctx.policy.origins, ...ctx.policy.domains].map((o) => `<li>${escapeHtml(o)}</li>`).join('')}</ul>`,
  });
}

/** The card chooser of the status page: only the signer's own page may change the card in use. */
async function handleInsert(ctx: SignerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const caller = callerOrigin(req.headers);
  let fields: Record<string, string> = {};
  try {
    fields = parseForm(await readBody(req, 4096));
  } catch {
    // an oversized body is refused below like any other bad request
  }
  const lang = pickLang(fields.lang, ctx.lang);
  const cards = await ctx.service.cards();
  if (!caller || !ctx.selfOrigins.has(caller) || !cards.some((c) => c.serial === fields.cardSerial)) {
    const title = errorMessage(lang, 'bad_request');
    sendHtml(
      res,
      403,
      page({
        lang,
        title,
        kind: 'error',
        body: `<h1>${escapeHtml(title)}</h1><p><a href="/?lang=${lang}">${escapeHtml(t(lang).signerName)}</a></p>`,
      }),
    );
    return;
  }
  ctx.service.insertedCard = fields.cardSerial;
  ctx.log({ event: 'card-inserted', cardSerial: fields.cardSerial });
  res.writeHead(303, { Location: `/?lang=${lang}`, 'Cache-Control': 'no-store' });
  res.end();
}

export async function startSigner(options: StartSignerOptions = {}): Promise<RunningSigner> {
  const trustedSites = new TrustedSitesFile(
    join(options.stateDir ?? join(homedir(), '.sw-signer'), 'trusted-sites.json'),
  );
  const saved = trustedSites.read();
  const policy = new OriginPolicy([...(options.allowOrigins ?? defaultAllowedOrigins()), ...saved.sites]);
  for (const domain of saved.domains) policy.addDomain(domain);
  const backends = await openBackends(options);
  const service = new SigningService(backends, policy, options.limits);
  service.insertedCard = options.insertedCard ?? null;
  const selfOrigins = new Set<string>();
  const ctx: SignerContext = {
    service,
    policy,
    lang: options.lang ?? 'zh-TW',
    selfOrigins,
    cors: options.cors ?? true,
    log: options.log ?? (() => {}),
    now: options.limits?.now ?? Date.now,
  };
  const channel = new WebSocketChannel(ctx, options.limits?.maxConnections, options.limits?.maxConnectionsPerOrigin);
  let port = 0;

  // DNS rebinding: a page on evil.example resolved to 127.0.0.1 would send Host: evil.example.
  const hostAllowed = (host: string | undefined) =>
    host === `127.0.0.1:${port}` || host === `localhost:${port}` || host === `[::1]:${port}`;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hostAllowed(req.headers.host)) {
      sendText(res, 421, 'text/plain', 'Misdirected request\n');
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (method === 'OPTIONS' && (path === '/pkcs11info' || path === '/sign')) return handlePreflight(ctx, req, res);
    if (method === 'GET' && path === '/signer.css') return sendText(res, 200, 'text/css', SIGNER_CSS, 3600);
    if (method === 'GET' && path === '/popup.js') return sendText(res, 200, 'text/javascript', POPUP_JS, 3600);
    if (method === 'GET' && path === '/adddomain.js') return sendText(res, 200, 'text/javascript', ADD_DOMAIN_JS, 3600);
    // The SDK's popup (ChtICToken.js opens /ChtPopupForm) speaks the same postMessage exchange as the samples'.
    if (method === 'GET' && (path === '/popupForm' || path === '/ChtPopupForm')) return handlePopupForm(ctx, res, url);
    if (method === 'GET' && path === '/p11Image.bmp') return handleP11Image(ctx, req, res, url);
    if (method === 'GET' && path === '/waiting.gif') return handleWaitingGif(res);
    if (method === 'GET' && path === '/ready.svg') return handleReadyBadge(res, url, ctx.lang);
    if (method === 'GET' && path === '/addDomain') return handleAddDomainPage(ctx, req, res, url);
    if (method === 'POST' && path === '/addDomain') return handleAddDomain(ctx, req, res, trustedSites);
    if ((method === 'GET' || method === 'POST') && path === '/pkcs11info') return handlePkcs11Info(ctx, req, res, url);
    if (method === 'POST' && path === '/sign') return handleSign(ctx, req, res);
    if (method === 'POST' && path === '/nojs/sign') return handleNojsSign(ctx, req, res);
    if (method === 'POST' && path === '/cards/insert') return handleInsert(ctx, req, res);
    const lang = pickLang(url.searchParams.get('lang'), ctx.lang);
    if (method === 'GET' && (path === '/' || path === '/selfTest.htm')) {
      const [slots, cards] = await Promise.all([service.slots(), service.cards()]);
      return sendHtml(res, 200, statusPage(ctx, lang, cards, slots.length));
    }
    const text = t(lang);
    const notFound = lang === 'en' ? 'Page not found' : '找不到網頁';
    sendHtml(
      res,
      path === '/nojs/sign' || path === '/sign' ? 405 : 404,
      page({
        lang,
        title: notFound,
        kind: 'error',
        body: `<h1>${escapeHtml(notFound)}</h1><p><a href="/">${escapeHtml(text.signerName)}</a></p>`,
      }),
    );
  };

  const timeouts = { ...SIGNER_TIMEOUTS, ...options.timeouts };
  const server = createServer(
    {
      requestTimeout: timeouts.requestMs,
      headersTimeout: timeouts.headersMs,
      // Node enforces the two bounds above on a sweep (every 30 s by default): sweep often enough that they hold.
      connectionsCheckingInterval: Math.max(100, Math.min(5000, timeouts.headersMs / 4)),
    },
    (req, res) => {
      route(req, res).catch(() => {
        if (!res.headersSent) sendText(res, 500, 'text/plain', 'Internal error\n');
        else res.destroy();
      });
    },
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.timeout = timeouts.idleMs;
  server.maxHeadersCount = 100;
  server.on('upgrade', (req, socket, head) => {
    if (!hostAllowed(req.headers.host)) {
      socket.end('HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    channel.handleUpgrade(req, socket, head);
  });
  // No 'clientError' listener: Node's own answers a bad request 400 and a late one 408 (never in the middle of a
  // response) and then destroys the socket, so a trickling client cannot keep it half open.

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error) => {
    await service.close();
    throw error;
  });
  port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  selfOrigins.add(`http://127.0.0.1:${port}`);
  selfOrigins.add(`http://localhost:${port}`);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    service,
    close: () => {
      closing ??= (async () => {
        channel.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await service.close();
      })();
      return closing;
    },
  };
}
