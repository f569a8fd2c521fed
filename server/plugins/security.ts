// Security headers with a strict CSP, CSRF on every state-changing request, rate limiting. (Form bodies: plugins/input.ts.)
import fp from 'fastify-plugin';
import helmet from 'helmet';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import type { Config } from '../config';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false for the few POSTs that cannot carry a CSRF token (the local signer's cross-site callback). */
    csrf?: boolean;
  }
}

const PERMISSIONS_POLICY =
  'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), bluetooth=(), display-capture=()';

export default fp<{ config: Config }>(
  async (app, { config }) => {
    // The helmet middleware is built once: @fastify/helmet builds it again on every request (parsing the CSP
    // directives each time), which was a measurable share of a page's cost under load. Same headers.
    const securityHeaders = helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          // The readiness box of the certificate pages is the local signer's /readiness page in an <object>, whose
          // fallback text shows when the signer does not answer: Chromium checks such a frame against both of these.
          objectSrc: [config.signerUrl],
          frameSrc: [config.signerUrl],
          baseUri: ["'none'"],
          frameAncestors: ["'none'"],
          // The no-JS certificate page posts the PIN form to the local signer, and the script talks to it.
          formAction: ["'self'", config.signerUrl],
          connectSrc: ["'self'", config.signerUrl, config.signerUrl.replace(/^http/, 'ws')],
          upgradeInsecureRequests: config.mode === 'production' ? [] : null,
        },
      },
      hsts: config.mode === 'production',
      // One answer to framing, for browsers that read CSP (frame-ancestors) and for those that only know the header.
      frameguard: { action: 'deny' },
      crossOriginEmbedderPolicy: false,
      // Keeps the opener link to the signer's popup (/popupForm), which a page without WebSocket signs through;
      // popups are still cut off from pages that open this one.
      crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    });
    app.addHook('onRequest', (request, reply, done) => {
      securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      // No page needs a camera, a microphone, a location, payments or USB: say so, so an injected frame cannot ask.
      reply.header('permissions-policy', PERMISSIONS_POLICY);
      // Every page is made for one browser's session (a name, a CSRF token, a logged-in user): no cache keeps it,
      // so Back after 登出 shows nothing of the previous user. What may be cached (stylesheets, files) says so itself.
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      return payload;
    });
    await app.register(csrf, {
      sessionPlugin: '@fastify/session',
      getToken: (request) => (request.body as Record<string, string> | undefined)?._csrf,
    });
    await app.register(rateLimit, {
      global: true,
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      allowList: (request) =>
        request.url === '/healthz' || request.url === '/readyz' || request.url.startsWith('/public/'),
    });

    app.addHook('preHandler', (request, reply, done) => {
      const stateChanging = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
      if (!stateChanging || request.routeOptions.config?.csrf === false) return done();
      app.csrfProtection(request, reply, done);
    });
  },
  { name: 'security', dependencies: ['session', 'input'] },
);
