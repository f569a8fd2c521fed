import type { FastifyPluginAsync } from 'fastify';
import { isSafeLocalPath } from '../../safe-redirect';

/** 單一登入: offers 新版自然人憑証登入 and 帳號密碼登入. */
const chooser: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
    // Only a local path may follow a login: never an open redirect.
    const next = request.query.next;
    if (isSafeLocalPath(next)) request.session.set('loginNext', next);
    return reply.page('login/index', {
      pageTitle: request.t('login.title'),
      breadcrumb: [{ label: request.t('login.title') }],
      expired: request.session.get('expired') === true,
    });
  });
};

export default chooser;
