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

/**
 * A bare host name as HiPKI clients name a site to trust (/addDomain?domain=<window.location.hostname>): letters,
 * digits, dots and hyphens, or an IPv4 address; lower case. Null for anything else (a port, a path, a scheme).
 */
export function normalizeDomain(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (v.length === 0 || v.length > 253) return null;
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/.test(v)) return null;
  return v;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export class OriginPolicy {
  private readonly allowed: Set<string>;
  /** Host names the user trusted through /addDomain: https on any port, and http too on a loopback name. */
  private readonly domainSet = new Set<string>();

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

  /** Adds a host name the user chose to trust (/addDomain?domain=<host name>). */
  addDomain(domain: string): void {
    const normalized = normalizeDomain(domain);
    if (!normalized) throw new TypeError(`not a host name: ${domain}`);
    this.domainSet.add(normalized);
  }

  get origins(): string[] {
    return [...this.allowed];
  }

  get domains(): string[] {
    return [...this.domainSet];
  }

  isAllowed(origin: string | null | undefined): origin is string {
    if (typeof origin !== 'string') return false;
    if (this.allowed.has(origin)) return true;
    if (this.domainSet.size === 0) return false;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    // A plain-http page can be changed on its way to the browser: a trusted name counts over http only on this machine.
    const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
    return secure && url.origin === origin && this.domainSet.has(url.hostname);
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
