// The WebSocket channel for the portal's thin script: JSON messages, one answer per request, matched by `id`.
//   → { id, type: "hello" }                       ← { id, type: "hello", version, lang }
//   → { id, type: "listCards" }                   ← { id, type: "listCards", readers, cards: [...] }
//   → { id, type: "sign", tbs, tbsEncoding?, hashAlgorithm: "SHA256", signatureType: "PKCS1"|"PKCS7",
//       pin, cardSerial?, detached? }             ← { id, type: "sign", signature, certificate, cardSerial, signatureType }
//   any failure                                   ← { id, type, error, message, triesLeft?, retCode, lastError }
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { SignerContext } from './context.js';
import { HIPKI_CODES, SignerError, toSignerError } from './errors.js';
import { TokenBucket } from './limiter.js';
import { errorMessage, pickLang, type Lang } from './locale.js';
import { MAX_TBS_BYTES, type CardView } from './signing.js';
import { SIGNER_VERSION } from './version.js';

export const MAX_WS_PAYLOAD = 256 * 1024;

export function cardJson(card: CardView) {
  return {
    cardSerial: card.serial,
    label: card.label,
    backend: card.backend,
    slotDescription: card.slotDescription,
    certificates: card.certificates.map((c) => ({
      usage: c.usage,
      keyUsage: c.keyUsage,
      subjectDN: c.subjectDN,
      issuerDN: c.issuerDN,
      commonName: c.commonName,
      serialNumber: c.serialNumber,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      certificate: c.der.toString('base64'),
    })),
  };
}

export class WebSocketChannel {
  private readonly wss: WebSocketServer;
  /** Open sockets per origin, so one allowed site cannot take every connection. */
  private readonly perOrigin = new Map<string, number>();

  constructor(
    private readonly ctx: SignerContext,
    private readonly maxConnections = 32,
    private readonly maxConnectionsPerOrigin = Math.max(1, Math.ceil(maxConnections / 2)),
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD, perMessageDeflate: false });
  }

  /** Called on an HTTP upgrade: only allow-listed origins get a socket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : null;
    const refuse = (status: number, reason: string) => {
      this.ctx.log({ event: 'ws-refused', channel: 'ws', origin, error: status === 403 ? 'site_not_trusted' : 'busy' });
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!this.ctx.policy.isAllowed(origin)) return refuse(403, 'Forbidden');
    if (
      this.wss.clients.size >= this.maxConnections ||
      (this.perOrigin.get(origin) ?? 0) >= this.maxConnectionsPerOrigin
    ) {
      return refuse(503, 'Service Unavailable');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws, origin));
  }

  private serve(ws: WebSocket, origin: string): void {
    this.perOrigin.set(origin, (this.perOrigin.get(origin) ?? 0) + 1);
    ws.once('close', () => {
      const left = (this.perOrigin.get(origin) ?? 1) - 1;
      if (left > 0) this.perOrigin.set(origin, left);
      else this.perOrigin.delete(origin);
    });
    // A socket also has a rate of its own, a bound per connection inside its origin's.
    const limiter = new TokenBucket(20, this.ctx.now);
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void this.onMessage(ws, origin, limiter, data, isBinary);
    });
  }

  private send(ws: WebSocket, value: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(value));
  }

  private sendError(ws: WebSocket, id: unknown, type: string, error: unknown, lang: Lang): void {
    const signerError = toSignerError(error);
    this.send(ws, {
      ...(id !== undefined ? { id } : {}),
      type,
      error: signerError.code,
      message: errorMessage(lang, signerError.code, signerError.triesLeft),
      ...(signerError.triesLeft !== undefined ? { triesLeft: signerError.triesLeft } : {}),
      retCode: HIPKI_CODES[signerError.code],
      lastError: signerError.lastError,
    });
  }

  private async onMessage(
    ws: WebSocket,
    origin: string,
    limiter: TokenBucket,
    data: RawData,
    isBinary: boolean,
  ): Promise<void> {
    let lang = this.ctx.lang;
    // The origin was checked at the upgrade; the counts are this socket's and this origin's, never a global one.
    if (!limiter.take() || !this.ctx.service.limiter.allowRequest(origin)) {
      return this.sendError(ws, undefined, 'error', new SignerError('busy'), lang);
    }
    if (isBinary) return this.sendError(ws, undefined, 'error', new SignerError('bad_json'), lang);
    let message: Record<string, unknown>;
    try {
      const parsed = JSON.parse(data.toString()) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      message = parsed as Record<string, unknown>;
    } catch {
      return this.sendError(ws, undefined, 'error', new SignerError('bad_json'), lang);
    }
    const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : undefined;
    lang = pickLang(message.lang, lang);
    const type = typeof message.type === 'string' ? message.type : '';
    try {
      switch (type) {
        case 'hello':
          return this.send(ws, { id, type, version: SIGNER_VERSION, lang });
        case 'listCards': {
          const slots = await this.ctx.service.slots();
          const cards = await this.ctx.service.cards();
          return this.send(ws, { id, type, readers: slots.length, cards: cards.map(cardJson) });
        }
        case 'sign':
          return await this.sign(ws, origin, id, message, lang);
        default:
          return this.sendError(ws, id, 'error', new SignerError('unknown_message'), lang);
      }
    } catch (error) {
      this.sendError(ws, id, type || 'error', error, lang);
    }
  }

  private async sign(
    ws: WebSocket,
    origin: string,
    id: unknown,
    message: Record<string, unknown>,
    lang: Lang,
  ): Promise<void> {
    if (typeof message.tbs !== 'string' || message.tbs === '') throw new SignerError('tbs_missing');
    if (message.tbs.length > MAX_TBS_BYTES * 2) throw new SignerError('tbs_too_large');
    const encoding = message.tbsEncoding ?? 'utf8';
    if (encoding !== 'utf8' && encoding !== 'base64') throw new SignerError('bad_request');
    const tbs = Buffer.from(message.tbs, encoding);
    const result = await this.ctx.service.sign({
      callerOrigin: origin,
      tbs,
      hashAlgorithm: message.hashAlgorithm,
      signatureType: message.signatureType,
      pin: message.pin,
      cardSerial: message.cardSerial,
      detached: message.detached === true,
    });
    this.ctx.log({ event: 'signed', channel: 'ws', origin, cardSerial: result.cardSerial });
    this.send(ws, {
      id,
      type: 'sign',
      lang,
      signature: result.signature.toString('base64'),
      certificate: result.certificate.der.toString('base64'),
      cardSerial: result.cardSerial,
      signatureType: result.signatureType,
    });
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
