// Typed, validated configuration from the environment. A bad value stops the start with one line naming the variable.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseTaiwanPhone } from './forms/phone';
import { validateEmail } from './forms/email';

export type Mode = 'demo' | 'production';
export type RevocationMode = 'ocsp' | 'crl' | 'ocsp-then-crl' | 'off';

export interface Config {
  mode: Mode;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  publicOrigin: string;
  sessionSecret: string | undefined;
  dataDir: string;
  logLevel: string;
  kiosk: boolean;
  kioskIdleSeconds: number;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  signerUrl: string;
  startSigner: boolean;
  trustDir: string | undefined;
  revocationMode: RevocationMode;
  revocationFailOpen: boolean;
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  loginMaxFailures: number;
  loginLockoutMinutes: number;
  /** Which peers may speak for the client in X-Forwarded-For: none, or the proxies' addresses/CIDRs. */
  trustProxy: TrustProxy;
  /** How long a client may take to send one whole request, headers and body. */
  requestTimeoutSeconds: number;
  /** How long a client may take to send a request's headers. */
  headersTimeoutSeconds: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutSeconds: number;
  /** How long a connection may stay silent (nothing read or written) before it is closed. */
  connectionTimeoutSeconds: number;
  loginAccountMaxFailures: number;
  loginDelaySeconds: number;
  loginDelayMaxSeconds: number;
  /** The 客服 contact in every page's footer. */
  support: SupportContact;
  /** Where the portal's e-mails go out (server/notify/). */
  mail: MailConfig;
}

export interface MailConfig {
  /** smtp:// or smtps:// URL of the mail relay; undefined in demo mode without one (mails go to the log). */
  smtpUrl: string | undefined;
  /** The From of every mail: an address, or "Name <address>". */
  from: string;
  /** How long the relay may take to accept a connection, greet, or answer a command. */
  timeoutSeconds: number;
}

export interface SupportContact {
  /** As shown, e.g. "(02)2345-6789", and as a tel: link target. */
  phone: string;
  phoneE164: string;
  email: string;
  hours: SupportHours;
}

/** Opening days as ISO weekday numbers (1 = Monday … 7 = Sunday) and times "HH:MM"; each page words them in its language. */
export interface SupportHours {
  fromDay: number;
  toDay: number;
  opens: string;
  closes: string;
}

/** false: the socket's peer is the client. A list: these peers are proxies whose X-Forwarded-For is believed. */
export type TrustProxy = false | string[];

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
  }
}

type Env = Record<string, string | undefined>;

function pick<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number (got "${raw}")`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${value})`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

function origin(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must use http or https (got "${raw}")`);
  }
  return url.origin;
}

function databaseUrl(env: Env): string | undefined {
  const raw = env.DATABASE_URL;
  if (raw === undefined || raw === '') return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new Error('protocol');
  } catch {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL');
  }
  return raw;
}

const IPV4_CIDR = /^(\d{1,3})(\.\d{1,3}){3}(\/\d{1,2})?$/;
const IPV6_CIDR = /^[0-9a-f:.]+(\/\d{1,3})?$/i;

function validAddressOrCidr(entry: string): boolean {
  if (IPV4_CIDR.test(entry)) {
    const [address, bits] = entry.split('/');
    return address.split('.').every((part) => Number(part) <= 255) && (bits === undefined || Number(bits) <= 32);
  }
  if (entry.includes(':') && IPV6_CIDR.test(entry)) {
    const bits = entry.split('/')[1];
    return bits === undefined || Number(bits) <= 128;
  }
  return false;
}

/** proxy-addr's names for address ranges, accepted as TRUST_PROXY entries. */
const RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: nobody by default, so a client cannot choose its own address for rate limits, lockouts and the audit
 * trail by sending X-Forwarded-For. A reverse proxy in front is named by its addresses or CIDRs. A bare hop count is
 * not offered: it cannot tell the proxy from a client talking to the portal directly (Fastify 5 refuses it too).
 */
function trustProxy(env: Env): TrustProxy {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw === 'none' || raw === 'false') return false;
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.find((entry) => !RANGE_NAMES.includes(entry) && !validAddressOrCidr(entry));
  if (bad !== undefined || entries.length === 0) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must be none, or the reverse proxy's IP addresses/CIDRs separated by commas (got "${bad ?? raw}")`,
    );
  }
  return entries;
}

/** A landline or mobile as the registration form accepts them, or a toll-free 0800/0809 number (service desks use those). */
function supportPhone(raw: string): { canonical: string; e164: string } | undefined {
  const tollFree = /^(080[09])-?(\d{3})-?(\d{3})$/.exec(raw.trim().replace(/\s+/g, '-'));
  if (tollFree)
    return {
      canonical: `${tollFree[1]}-${tollFree[2]}-${tollFree[3]}`,
      e164: `+886${tollFree[1]!.slice(1)}${tollFree[2]}${tollFree[3]}`,
    };
  return parseTaiwanPhone(raw);
}

const HOURS = /^([1-7])-([1-7]) ([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * SUPPORT_PHONE, SUPPORT_EMAIL, SUPPORT_HOURS: the service desk shown on every page. The defaults are placeholders for a
 * demo (an example number in the form the registration form's hint uses, an example.com address); a real deployment
 * sets its own. The phone and e-mail go through the same validators as the registration form, so a typo stops the start.
 */
function supportContact(env: Env): SupportContact {
  const phone = supportPhone(env.SUPPORT_PHONE || '(02)2345-6789');
  if (!phone)
    throw new ConfigError(
      'SUPPORT_PHONE',
      `must be a Taiwan phone number, a landline or 0800/0809 toll-free (got "${env.SUPPORT_PHONE}")`,
    );
  const email = validateEmail(env.SUPPORT_EMAIL || 'service@example.com');
  if (!email.ok) throw new ConfigError('SUPPORT_EMAIL', `must be an e-mail address (got "${env.SUPPORT_EMAIL}")`);
  const rawHours = (env.SUPPORT_HOURS || '1-5 08:30-17:30').trim();
  const m = HOURS.exec(rawHours);
  if (!m || Number(m[1]) > Number(m[2]) || `${m[3]}:${m[4]}` >= `${m[5]}:${m[6]}`) {
    throw new ConfigError(
      'SUPPORT_HOURS',
      `must be "<first weekday>-<last weekday> HH:MM-HH:MM", weekdays 1 (Monday) to 7, e.g. "1-5 08:30-17:30" (got "${rawHours}")`,
    );
  }
  return {
    phone: phone.canonical,
    phoneE164: phone.e164,
    email: email.value,
    hours: { fromDay: Number(m[1]), toDay: Number(m[2]), opens: `${m[3]}:${m[4]}`, closes: `${m[5]}:${m[6]}` },
  };
}

/** The URL with any password removed, for messages. */
function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * SMTP_URL and MAIL_FROM. A real portal tells applicants "審核結果將以 Email 通知", so production mode refuses to start
 * without a mail relay; in demo mode, without one, each mail is written to the log as not sent.
 */
function mailConfig(env: Env, mode: Mode): MailConfig {
  const rawUrl = (env.SMTP_URL ?? '').trim();
  let smtpUrl: string | undefined;
  if (rawUrl) {
    let url: URL | undefined;
    try {
      url = new URL(rawUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname || url.pathname.length > 1) {
      throw new ConfigError(
        'SMTP_URL',
        `must be smtp://[user:password@]host[:port] or smtps://… (got "${redactUrl(rawUrl)}")`,
      );
    }
    smtpUrl = rawUrl;
  } else if (mode === 'production') {
    throw new ConfigError(
      'SMTP_URL',
      'is required in production mode (registrations and decisions are told by e-mail)',
    );
  }
  const rawFrom = (env.MAIL_FROM ?? '').trim();
  if (!rawFrom && mode === 'production') throw new ConfigError('MAIL_FROM', 'is required in production mode');
  const from = rawFrom || '關港貿單一窗口 <no-reply@sw-portal.example>';
  // "Name <address>" or a bare address; the address goes through the registration form's validator.
  const m = /^(?:([^<>"]*?)\s*<([^<>\s]+)>|([^<>\s]+))$/.exec(from);
  const address = m ? (m[2] ?? m[3]) : undefined;
  if (!address || !validateEmail(address).ok) {
    throw new ConfigError('MAIL_FROM', `must be an e-mail address or "Name <address>" (got "${rawFrom}")`);
  }
  return { smtpUrl, from, timeoutSeconds: integer(env, 'SMTP_TIMEOUT_SECONDS', 10, 1, 120) };
}

export function loadConfig(env: Env = process.env): Config {
  const mode =
    pick(env, 'NODE_ENV', ['development', 'test', 'production', 'demo'] as const, 'development') === 'production'
      ? 'production'
      : pick(env, 'PORTAL_MODE', ['demo', 'production'] as const, 'demo');
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || 'localhost';
  const kiosk = bool(env, 'KIOSK', false);
  const kioskIdleSeconds = integer(env, 'KIOSK_IDLE_SECONDS', 120, 15, 3600);
  const sessionSecret = env.SESSION_SECRET || undefined;
  if (sessionSecret !== undefined && sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters');
  }
  if (mode === 'production' && sessionSecret === undefined) {
    throw new ConfigError('SESSION_SECRET', 'is required in production mode');
  }
  const publicOrigin = origin(env, 'PUBLIC_ORIGIN', `http://localhost:${port || 3000}`);
  if (mode === 'production' && !publicOrigin.startsWith('https:')) {
    throw new ConfigError('PUBLIC_ORIGIN', 'must be https in production mode');
  }
  // A slow client must not hold a connection open: the whole request, and its headers first, arrive within a bound.
  const requestTimeoutSeconds = integer(env, 'REQUEST_TIMEOUT_SECONDS', 30, 1, 600);
  const headersTimeoutSeconds = integer(env, 'HEADERS_TIMEOUT_SECONDS', 10, 1, 600);
  if (headersTimeoutSeconds > requestTimeoutSeconds) {
    throw new ConfigError(
      'HEADERS_TIMEOUT_SECONDS',
      `must not be more than REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds})`,
    );
  }
  // Password lockout (server/auth/lockout.ts): the account-wide threshold must exceed the per-source one, or one
  // address could lock the holder out from everywhere.
  const loginMaxFailures = integer(env, 'LOGIN_MAX_FAILURES', 5, 1, 100);
  const loginAccountMaxFailures = integer(env, 'LOGIN_ACCOUNT_MAX_FAILURES', 4 * loginMaxFailures, 2, 10000);
  if (loginAccountMaxFailures <= loginMaxFailures) {
    throw new ConfigError(
      'LOGIN_ACCOUNT_MAX_FAILURES',
      `must be greater than LOGIN_MAX_FAILURES (${loginMaxFailures})`,
    );
  }
  const loginDelaySeconds = integer(env, 'LOGIN_DELAY_SECONDS', 1, 0, 60);
  const loginDelayMaxSeconds = integer(env, 'LOGIN_DELAY_MAX_SECONDS', 60, 1, 3600);
  if (loginDelayMaxSeconds < loginDelaySeconds) {
    throw new ConfigError('LOGIN_DELAY_MAX_SECONDS', `must be at least LOGIN_DELAY_SECONDS (${loginDelaySeconds})`);
  }
  return {
    mode,
    port,
    host,
    databaseUrl: databaseUrl(env),
    publicOrigin,
    sessionSecret,
    dataDir: resolve(env.DATA_DIR || 'data'),
    logLevel: pick(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    kiosk,
    kioskIdleSeconds,
    // On a kiosk the server's idle limit is the kiosk's, so the meta refresh and the server agree.
    sessionIdleSeconds: integer(env, 'SESSION_IDLE_SECONDS', kiosk ? kioskIdleSeconds : 1800, 15, 86400),
    sessionAbsoluteSeconds: integer(env, 'SESSION_ABSOLUTE_SECONDS', 8 * 3600, 60, 7 * 86400),
    signerUrl: origin(env, 'SIGNER_URL', 'http://127.0.0.1:61161'),
    startSigner: bool(env, 'START_SIGNER', mode === 'demo'),
    trustDir: env.TRUST_DIR ? resolve(env.TRUST_DIR) : undefined,
    revocationMode: pick(env, 'REVOCATION_MODE', ['ocsp', 'crl', 'ocsp-then-crl', 'off'] as const, 'ocsp-then-crl'),
    revocationFailOpen: bool(env, 'REVOCATION_FAIL_OPEN', false),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 256 * 1024, 1024, 10 * 1024 * 1024),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 300, 1, 100000),
    loginMaxFailures,
    loginLockoutMinutes: integer(env, 'LOGIN_LOCKOUT_MINUTES', 15, 1, 1440),
    trustProxy: trustProxy(env),
    requestTimeoutSeconds,
    headersTimeoutSeconds,
    keepAliveTimeoutSeconds: integer(env, 'KEEP_ALIVE_TIMEOUT_SECONDS', 5, 1, 600),
    // Also bounds a handler's silence (a slow OCSP responder, say), so it is longer than any request should need.
    connectionTimeoutSeconds: integer(env, 'CONNECTION_TIMEOUT_SECONDS', 60, 1, 3600),
    loginAccountMaxFailures,
    loginDelaySeconds,
    loginDelayMaxSeconds,
    support: supportContact(env),
    mail: mailConfig(env, mode),
  };
}

/** Demo mode keeps one generated secret in DATA_DIR so sessions survive a restart. */
export function resolveSessionSecret(config: Config): string {
  if (config.sessionSecret) return config.sessionSecret;
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
