import type { FastifyPluginAsync } from 'fastify';
import { parseLang } from '../plugins/i18n';
import { safeLocalPath } from '../safe-redirect';

/** The language switch is a plain link, so it works without JavaScript. */
const language: FastifyPluginAsync = async (app) => {
  app.get<{ Params: { lang: string }; Querystring: { next?: string } }>('/lang/:lang', async (request, reply) => {
    const lang = parseLang(request.params.lang);
    if (!lang) return reply.callNotFound();
    reply.setCookie('lang', lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 86400 });
    // Only a local path may follow: never an open redirect.
    return reply.redirect(safeLocalPath(request.query.next, '/'), 303);
  });
};

export default language;
