// Sessions in PostgreSQL so any portal instance can serve any request. The cookie is HttpOnly and SameSite=Lax
// (Secure in production); the server enforces an idle and an absolute timeout.
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import session, { type SessionStore } from '@fastify/session';
import type { Pool } from '../db/pool';
import { sessionsRepository } from '../db/sessions-repository';
import type { Config } from '../config';

export const SESSION_COOKIE = 'sw_sid';

export interface SessionUser {
  accountId: number;
  name: string;
  role: 'citizen' | 'operator' | 'admin';
  method: 'certificate' | 'password';
  certificateId?: number;
  loggedInAt: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** true for pages a browser loads by itself (a meta refresh), which must not count as the user's activity. */
    idleNeutral?: boolean;
  }
  interface Session {
    user?: SessionUser;
    createdAt?: number;
    lastSeenAt?: number;
    [key: string]: unknown;
  }
}

/** The @fastify/session store interface over the sessions table; a stored session expires after the idle timeout. */
export class PostgresSessionStore implements SessionStore {
  constructor(
    private readonly pool: Pool,
    private readonly idleSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get(sid: string, callback: Parameters<SessionStore['get']>[1]): void {
    sessionsRepository(this.pool)
      .find(sid, this.now())
      .then(
        (found) => callback(null, found ? (found.sess as unknown as Parameters<typeof callback>[1]) : null),
        callback,
      );
  }

  set(sid: string, sess: unknown, callback: Parameters<SessionStore['set']>[2]): void {
    const expiresAt = new Date(this.now().getTime() + this.idleSeconds * 1000);
    sessionsRepository(this.pool)
      .save(sid, sess, expiresAt)
      .then(() => callback(), callback);
  }

  destroy(sid: string, callback: Parameters<SessionStore['destroy']>[1]): void {
    sessionsRepository(this.pool)
      .destroy(sid)
      .then(() => callback(), callback);
  }
}

/** Files the browser loads for a page, not pages a person opens. */
function isAsset(url: string): boolean {
  return url.startsWith('/public/') || url === '/favicon.ico';
}

export default fp<{ config: Config; secret: string }>(
  async (app, { config, secret }) => {
    await app.register(cookie);
    await app.register(session, {
      secret,
      cookieName: SESSION_COOKIE,
      saveUninitialized: false,
      // A session is written only when a request changed it. Rewriting it on every answer lost updates: a slow
      // request (a favicon, a stylesheet) that read the session before a page stored its CSRF secret wrote the old
      // copy back after, and the page's form then failed its CSRF check. Anonymous sessions no longer roll either.
      rolling: false,
      store: new PostgresSessionStore(app.db, config.sessionIdleSeconds, () => app.now()),
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.mode === 'production',
        path: '/',
      },
    });

    // Idle and absolute timeouts are enforced here, on the server, whatever the browser keeps.
    app.addHook('preHandler', async (request) => {
      const now = app.now().getTime();
      const s = request.session;
      if (s.user) {
        const idle = s.lastSeenAt !== undefined && now - s.lastSeenAt > config.sessionIdleSeconds * 1000;
        const tooOld = now - s.user.loggedInAt > config.sessionAbsoluteSeconds * 1000;
        if (idle || tooOld) {
          await request.session.regenerate();
          request.session.set('expired', true);
        }
      }
      // The kiosk's "about to log out" page is not activity, nor is a stylesheet or an icon the browser fetches by
      // itself: only a person using a page restarts the count (and only such a request writes the session).
      const activity = request.routeOptions.config?.idleNeutral !== true && !isAsset(request.url);
      if (request.session.user && activity) request.session.lastSeenAt = now;
    });
  },
  // The store is the db plugin's pool; the timeouts read the clock plugin's time.
  { name: 'session', dependencies: ['db', 'clock'] },
);
