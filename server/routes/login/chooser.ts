import type { FastifyPluginAsync } from 'fastify';

/** 單一登入: offers 新版自然人憑証登入 and 帳號密碼登入. */
const chooser: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
    const next = safeNext(request.query.next);
    if (next) request.session.set('loginNext', next);
    return reply.page('login/index', {
      pageTitle: request.t('login.title'),
      breadcrumb: [{ label: request.t('login.title') }],
      expired: request.session.get('expired') === true,
    });
  });
};

/** Only a local path may follow a login: never an open redirect. */
export function safeNext(next: unknown): string | undefined {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : undefined;
}

export default chooser;
