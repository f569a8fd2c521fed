// Security headers with a strict CSP, CSRF on every state-changing request, rate limiting. (Form bodies: plugins/input.ts.)
import fp from 'fastify-plugin';
import helmet from 'helmet';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply } from 'fastify';
import type { Config } from '../config';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false for the few POSTs that cannot carry a CSRF token (the local signer's cross-site callback). */
    csrf?: boolean;
  }
  interface FastifyReply {
    /**
     * This page shows a page of the local signer in an <object> (the certificate pages' readiness box; with
     * `image`, 軟體下載's 元件已啟動？ picture): its policy lets exactly that origin in. Every other page keeps
     * object-src 'none' and no frame.
     */
    allowSignerFrame(options?: { image?: boolean }): FastifyReply;
  }
}

/**
 * A page's policy with the signer's origin allowed in an <object>. Chromium checks such an object against object-src
 * and, as it is a frame (an HTML page, or an SVG document), against frame-src; a picture also against img-src.
 */
export function signerFrameCsp(csp: string, signerUrl: string, options: { image?: boolean } = {}): string {
  const framed = csp.replace(/object-src 'none'/, `object-src ${signerUrl}`);
  const withImage = options.image ? framed.replace(/img-src ([^;]*)/, `img-src $1 ${signerUrl}`) : framed;
  return /(^|;)\s*frame-src /.test(withImage) ? withImage : `${withImage};frame-src ${signerUrl}`;
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
          // Pages that show the local signer's page in an <object> widen this for themselves (allowSignerFrame).
          objectSrc: ["'none'"],
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
    app.decorateReply('allowSignerFrame', function allowSignerFrame(this: FastifyReply, options = {}) {
      const csp = this.getHeader('content-security-policy') ?? this.raw.getHeader('content-security-policy');
      if (typeof csp === 'string')
        this.header('content-security-policy', signerFrameCsp(csp, config.signerUrl, options));
      return this;
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
