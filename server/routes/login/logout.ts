// 登出: a POST that destroys the session. On a kiosk, the page after says 「請取出您的自然人憑證」.
// /logout/idle is where a kiosk's meta refresh lands when nobody touched the screen.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import { endSession } from '../../auth/login-session';
import { kioskWarningPlan } from '../../auth/kiosk';
import { safeLocalPath } from '../../safe-redirect';

/** How early a meta refresh may land on /logout/idle and still log out (page load time, clock granularity). */
const IDLE_LOGOUT_SLACK_SECONDS = 5;

const logout: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  app.post('/logout', async (request, reply) => {
    await endSession(request, 'logout');
    return reply.redirect('/logged-out', 303);
  });

  // A meta refresh can only GET, so this GET ends a session, but only one that really sat idle: a link on another
  // site (SameSite=Lax sends the cookie on a top-level GET) cannot log anyone out. The session plugin has already
  // ended a session past its limit; this ends one within the last seconds of it, as the refresh arrives.
  app.get('/logout/idle', { config: { idleNeutral: true } }, async (request, reply) => {
    const { user, lastSeenAt } = request.session;
    if (user && !idleLongEnough(lastSeenAt)) return reply.redirect('/account', 303);
    if (user) await endSession(request, 'idle');
    return reply.redirect('/logged-out?idle=1', 303);
  });

  /** Idle for the session's limit, less a few seconds for the refresh's own timing. */
  function idleLongEnough(lastSeenAt: number | undefined): boolean {
    if (lastSeenAt === undefined) return true;
    return app.now().getTime() - lastSeenAt >= (config.sessionIdleSeconds - IDLE_LOGOUT_SLACK_SECONDS) * 1000;
  }

  // A kiosk page's meta refresh lands here when nobody touched the screen: one click keeps the session.
  app.get<{ Querystring: { next?: string } }>(
    '/logout/warning',
    { config: { idleNeutral: true } },
    async (request, reply) => {
      if (!request.session.user) return reply.redirect('/logged-out?idle=1', 303);
      const plan = kioskWarningPlan(config.kioskIdleSeconds);
      return reply.header('cache-control', 'no-store').page('login/idle-warning', {
        pageTitle: request.t('login.idleWarningTitle'),
        next: safeLocalPath(request.query.next, '/account'),
        warnFor: plan.warnFor || 20,
        noIdleRefresh: true,
      });
    },
  );

  app.get<{ Querystring: { idle?: string } }>('/logged-out', async (request, reply) =>
    reply.page('login/logged-out', {
      pageTitle: request.t('login.loggedOutTitle'),
      idle: request.query.idle === '1',
    }),
  );
};

export default logout;
