// 登出: a POST that destroys the session. On a kiosk, the page after says 「請取出您的自然人憑證」.
// /logout/idle is where a kiosk's meta refresh lands when nobody touched the screen.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../../config';
import { endSession } from '../../auth/login-session';
import { kioskWarningPlan } from '../../kiosk';
import { safeLocalPath } from '../../safe-redirect';

const logout: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  app.post('/logout', async (request, reply) => {
    await endSession(request, 'logout');
    return reply.redirect('/logged-out', 303);
  });

  app.get('/logout/idle', async (request, reply) => {
    if (request.session.user) await endSession(request, 'idle');
    return reply.redirect('/logged-out?idle=1', 303);
  });

  // A kiosk page's meta refresh lands here when nobody touched the screen: one click keeps the session.
  app.get<{ Querystring: { next?: string } }>('/logout/warning', { config: { idleNeutral: true } }, async (request, reply) => {
    if (!request.session.user) return reply.redirect('/logged-out?idle=1', 303);
    const plan = kioskWarningPlan(config.kioskIdleSeconds);
    return reply.header('cache-control', 'no-store').page('login/idle-warning', {
      pageTitle: request.t('login.idleWarningTitle'),
      next: safeLocalPath(request.query.next, '/account'),
      warnFor: plan.warnFor || 20,
      noIdleRefresh: true,
    });
  });

  app.get<{ Querystring: { idle?: string } }>('/logged-out', async (request, reply) =>
    reply.page('login/logged-out', {
      pageTitle: request.t('login.loggedOutTitle'),
      idle: request.query.idle === '1',
    }),
  );
};

export default logout;
