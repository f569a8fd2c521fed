// Which web pages the signer works for: the allow-list of origins (DESIGN.md §4).
import type { IncomingHttpHeaders } from 'node:http';

export function normalizeOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.origin;
}

export class OriginPolicy {
  private readonly allowed: Set<string>;

  constructor(origins: Iterable<string>) {
    this.allowed = new Set();
    for (const origin of origins) {
      const normalized = normalizeOrigin(origin);
      if (!normalized) throw new TypeError(`not an http(s) origin: ${origin}`);
      this.allowed.add(normalized);
    }
  }

  /** Adds a site the user chose to trust (/addDomain). */
  add(origin: string): void {
    const normalized = normalizeOrigin(origin);
    if (!normalized) throw new TypeError(`not an http(s) origin: ${origin}`);
    this.allowed.add(normalized);
  }

  get origins(): string[] {
    return [...this.allowed];
  }

  isAllowed(origin: string | null | undefined): origin is string {
    return typeof origin === 'string' && this.allowed.has(origin);
  }

  /** An absolute http(s) URL on an allowed origin; null otherwise. */
  allowedUrl(value: unknown): URL | null {
    if (typeof value !== 'string' || value.length > 2048) return null;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return null;
    }
    if (url.username || url.password) return null;
    return this.isAllowed(url.origin) ? url : null;
  }
}

/**
 * The origin of the page that sent a request: the Origin header, or the Referer's origin when a browser left
 * Origin out. `Origin: null` (an opaque origin, or a page with Referrer-Policy no-referrer posting a form) is null.
 */
export function callerOrigin(headers: IncomingHttpHeaders): string | null {
  const origin = headers.origin;
  if (typeof origin === 'string' && origin !== 'null') return normalizeOrigin(origin);
  if (typeof origin === 'string') return null;
  const referer = headers.referer;
  if (typeof referer === 'string') return normalizeOrigin(referer);
  return null;
}
