// Small HTTP helpers: bounded body reading, form parsing, answers with the signer's security headers.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_BODY_BYTES = 256 * 1024;

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** application/x-www-form-urlencoded; the first value of each name. */
export function parseForm(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    if (!(name in out)) out[name] = value;
  }
  return out;
}

/** A request that announced a body the handler has not read to its end. */
function bodyUnread(req: IncomingMessage): boolean {
  const announced = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  return announced && !req.complete;
}

export function baseHeaders(res: ServerResponse): void {
  // An answer given before the body was read (a refused site) ends the connection: the rest is not waited for.
  if (bodyUnread(res.req)) res.setHeader('Connection', 'close');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export function sendHtml(res: ServerResponse, status: number, html: string, formAction: string[] = []): void {
  baseHeaders(res);
  const formActions = ["'self'", ...formAction].join(' ');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action ${formActions}; base-uri 'none'; frame-ancestors 'none'`,
  );
  res.setHeader('X-Frame-Options', 'DENY');
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(html);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, cors?: string): void {
  baseHeaders(res);
  if (cors) {
    res.setHeader('Access-Control-Allow-Origin', cors);
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  }
  res.setHeader('Vary', 'Origin');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

export function sendText(res: ServerResponse, status: number, type: string, text: string, maxAge = 0): void {
  baseHeaders(res);
  if (maxAge > 0) res.setHeader('Cache-Control', `public, max-age=${maxAge}`);
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8` });
  res.end(text);
}
