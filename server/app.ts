// buildApp(config): third-party plugins first, then the app's own decorators, then routes.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastifyStatic from '@fastify/static';
import { randomUUID } from 'node:crypto';
import type { Config } from './config';
import type { Pool } from './db/pool';
import dbPlugin from './plugins/db';
import sessionPlugin from './plugins/session';
import i18nPlugin from './plugins/i18n';
import securityPlugin from './plugins/security';
import viewsPlugin from './plugins/views';
import errorsPlugin from './plugins/errors';
import signingPlugin from './plugins/signing';
import clockPlugin from './plugins/clock';
import lockoutPlugin from './plugins/lockout';
import routes from './routes/index';
import demoPkiRoutes from './routes/demo-pki';
import { demoPkiDir } from './pki/dev/demo-pki';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CardVerifier } from './auth/certificate-identity';
import { createCardVerifier } from './auth/card-verifier';

export const PUBLIC_DIR = new URL('../public/', import.meta.url).pathname;

export interface AppOptions {
  config: Config;
  pool: Pool;
  sessionSecret: string;
  logger?: FastifyServerOptions['logger'];
  /** The certificate engine as the auth code sees it; built from config unless a test passes its own trust setup. */
  cardVerifier?: CardVerifier;
  /** The clock for time-dependent rules (the password lockout); tests pass one they can move. */
  now?: () => Date;
}

/** Passwords, PINs, signatures and cookies never reach a log line. */
export const LOG_REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'body.password',
  'body.passwordConfirm',
  'body.pin', // redacted should a PIN ever be posted here: no portal form has one (the PIN goes to the local signer)
  'body.signature',
  '*.password',
  '*.pin',
  '*.signature',
];

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return { level, redact: { paths: LOG_REDACT, censor: '[redacted]' } };
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, pool, sessionSecret } = options;
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config.logLevel),
    bodyLimit: config.bodyLimitBytes,
    genReqId: () => randomUUID().slice(0, 8),
    trustProxy: config.mode === 'production',
    routerOptions: { ignoreTrailingSlash: true },
  });

  await app.register(dbPlugin, { pool });
  await app.register(clockPlugin, { now: options.now });
  await app.register(lockoutPlugin, { config });
  await app.register(sessionPlugin, { config, secret: sessionSecret, pool });
  await app.register(i18nPlugin);
  await app.register(securityPlugin, { config });
  await app.register(viewsPlugin, { config });
  await app.register(errorsPlugin);
  await app.register(signingPlugin, { cardVerifier: options.cardVerifier ?? (await createCardVerifier(config)) });
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/public/', maxAge: '1h' });
  await app.register(routes, { config });
  // Demo mode serves the demo CAs' CRLs and OCSP itself, so revocation works end to end on one machine.
  const pkiDir = demoPkiDir(config.dataDir);
  if (config.mode === 'demo' && existsSync(join(pkiDir, 'manifest.json'))) await app.register(demoPkiRoutes, { pkiDir });
  return app;
}
