// What a request may carry before any route reads it: form bodies only, and text PostgreSQL can store.
// The same mistake was once found in many routes (a NUL in an ID number, a download id, a signing code or an
// admin filter reached PostgreSQL, which refuses it with a 500; a JSON body gave a route an object where it expected
// text), so it is refused here, once, for every route, with the 400 page.
import fp from 'fastify-plugin';
import formbody from '@fastify/formbody';
import { parse as parseQueryString } from 'node:querystring';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config';

// NUL: PostgreSQL text cannot hold it. A lone surrogate (\p{Cs} in a u-regex matches only unpaired halves): not
// Unicode at all, so it cannot be encoded as UTF-8 for the database or a page.
const MALFORMED_TEXT = /[\0\p{Cs}]/u;

function isWellFormedText(value: string): boolean {
  return !MALFORMED_TEXT.test(value);
}

/**
 * Whether every %XX escape of a query string or form body decodes to UTF-8. The parsers do not say: they keep a
 * bad escape (%FF, %ED%A0%80) as literal text, which then reads as something the user never typed.
 */
export function isWellFormedEncoding(raw: string): boolean {
  try {
    decodeURIComponent(raw.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

/** A field's value as a form or query string gives it: text, or several texts when the name repeats. */
function isFieldValue(value: unknown): boolean {
  if (typeof value === 'string') return isWellFormedText(value);
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && isWellFormedText(item));
}

function areWellFormedFields(fields: unknown): boolean {
  if (fields === undefined || fields === null) return true;
  if (typeof fields !== 'object') return false;
  return Object.entries(fields).every(([name, value]) => isWellFormedText(name) && isFieldValue(value));
}

/** Why a request's query string, path parameters or form body cannot be handed to a route, if it cannot. */
export function malformedInput(
  request: Pick<FastifyRequest, 'url' | 'query' | 'params' | 'body'>,
): 'query' | 'params' | 'body' | undefined {
  const mark = request.url.indexOf('?');
  if (mark >= 0 && !isWellFormedEncoding(request.url.slice(mark + 1))) return 'query';
  if (!areWellFormedFields(request.query)) return 'query';
  if (!areWellFormedFields(request.params)) return 'params';
  // A Buffer comes only from a parser a route registered for itself (the demo OCSP responder's DER).
  if (!Buffer.isBuffer(request.body) && !areWellFormedFields(request.body)) return 'body';
  return undefined;
}

export class MalformedInputError extends Error {
  readonly statusCode = 400;
  readonly code = 'SW_MALFORMED_INPUT';
  constructor(readonly part: 'query' | 'params' | 'body') {
    super(`malformed ${part}`);
  }
}

export default fp<{ config: Config }>(
  async (app, { config }) => {
    // Every portal form posts application/x-www-form-urlencoded, and so does the page script (檢核是否存在 and the
    // signature both post forms), so no route needs JSON: Fastify's default JSON and text parsers go, and any other
    // type (multipart included) is Fastify's 415, rendered as the bad-request page.
    app.removeAllContentTypeParsers();
    await app.register(formbody, {
      bodyLimit: config.bodyLimitBytes,
      // A throw here is caught by Fastify and answered through the error handler: the 400 page.
      parser: (text: string) => {
        if (!isWellFormedEncoding(text)) throw new MalformedInputError('body');
        return parseQueryString(text);
      },
    });

    // preValidation: the body is parsed by now, and neither the CSRF check nor any route has read a value yet.
    app.addHook('preValidation', async (request) => {
      const part = malformedInput(request);
      if (part) throw new MalformedInputError(part);
    });
  },
  { name: 'input' },
);
