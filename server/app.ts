// buildApp(config): third-party plugins first, then the app's own decorators, then routes.
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import { randomUUID } from 'node:crypto';
import type { ServerOptions } from 'node:http';
import type { Config } from './config';
import type { Pool } from './db/pool';
import dbPlugin from './plugins/db';
import sessionPlugin from './plugins/session';
import i18nPlugin from './plugins/i18n';
import securityPlugin from './plugins/security';
import inputPlugin from './plugins/input';
import viewsPlugin from './plugins/views';
import errorsPlugin from './plugins/errors';
import signingPlugin from './plugins/signing';
import clockPlugin from './plugins/clock';
import lockoutPlugin from './plugins/lockout';
import notifyPlugin from './plugins/notify';
import routes from './routes/index';
import { demoPkiDir, hasDemoPki } from './demo/manifest';
import type { CardVerifier } from './auth/certificate-identity';
import { createCardVerifier } from './auth/card-verifier';
import { maskIdNumber } from './mask';

export const PUBLIC_DIR = new URL('../public/', import.meta.url).pathname;

export interface AppOptions {
  config: Config;
  pool: Pool;
  sessionSecret: string;
  logger?: FastifyServerOptions['logger'];
  /** The certificate engine as the auth code sees it; built from config unless a test passes its own trust setup. */
  cardVerifier?: CardVerifier;
  /**
   * The clock for every time-dependent rule (session timeouts, the kiosk's idle logout, signing challenges, the
   * password lockout, registration and admin pages); tests pass one they can move.
   */
  now?: () => Date;
}

/** Passwords, PINs, signatures and cookies never reach a log line. */
export const LOG_REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'body.password',
  'body.passwordConfirm',
  'body.idNumber',
  '*.idNumber',
  'body.pin', // redacted should a PIN ever be posted here: no portal form has one (the PIN goes to the local signer)
  'body.signature',
  '*.password',
  '*.pin',
  '*.signature',
];

/**
 * A national ID or resident certificate number anywhere in a logged URL (an operator's search, an old link) is
 * masked as the pages mask it: access logs are read by more people than the ID numbers are for.
 */
const ID_NUMBER_IN_TEXT = /(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]\d{8}(?![A-Za-z0-9])/g;

export function redactIdNumbers(text: string): string {
  return text.replace(ID_NUMBER_IN_TEXT, (id) => maskIdNumber(id));
}

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: LOG_REDACT, censor: '[redacted]' },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactIdNumbers(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
}

/**
 * The listening server's timeouts (Fastify leaves the request and connection ones off). Node enforces the request
 * and header bounds on a periodic sweep, so the sweep runs often enough that they hold within a quarter of the
 * header bound (its default, 30 s, would let a 10 s bound stretch to 40 s).
 */
export function serverTimeouts(config: Config): Pick<
  FastifyServerOptions,
  'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout'
> & {
  http: ServerOptions;
} {
  const headersTimeout = config.headersTimeoutSeconds * 1000;
  return {
    requestTimeout: config.requestTimeoutSeconds * 1000,
    connectionTimeout: config.connectionTimeoutSeconds * 1000,
    keepAliveTimeout: config.keepAliveTimeoutSeconds * 1000,
    http: { headersTimeout, connectionsCheckingInterval: Math.max(250, Math.min(5000, headersTimeout / 4)) },
  };
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, pool, sessionSecret } = options;
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel),
    ...serverTimeouts(config),
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID().slice(0, 8),
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  });

  await app.register(dbPlugin, { pool });
  await app.register(clockPlugin, { now: options.now });
  await app.register(lockoutPlugin, { config });
  await app.register(sessionPlugin, { config, secret: sessionSecret });
  await app.register(i18nPlugin);
  await app.register(notifyPlugin, { config });
  await app.register(inputPlugin, { config });
  await app.register(securityPlugin, { config });
  await app.register(viewsPlugin, { config });
  await app.register(errorsPlugin);
  await app.register(signingPlugin, { cardVerifier: options.cardVerifier ?? (await createCardVerifier(config)) });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/public/', maxAge: '1h' });
  await app.register(routes, { config });
  // Demo mode serves the demo CAs' CRLs and OCSP itself, so revocation works end to end on one machine. Those answers
  // are signed with the demo CAs' keys: that is demo tooling (demo-pki/), so it is imported here, in demo mode only,
  // and no production code path loads it.
  const pkiDir = demoPkiDir(config.dataDir);
  if (config.mode === 'demo' && hasDemoPki(pkiDir)) {
    const { default: demoPkiPlugin } = await import('../demo-pki/plugin');
    await app.register(demoPkiPlugin, { pkiDir });
  }
  return app;
}
