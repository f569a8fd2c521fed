// Every error is an HTML page in the user's language: 404, 413, 429, 403 (CSRF), 503 (database down), 500 with a reference id.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/pool';
import { makeTranslate, parseLang, DEFAULT_LANG } from './i18n';

interface ErrorPage {
  status: number;
  titleKey: string;
  bodyKey: string;
}

function classify(error: { statusCode?: number; code?: string }, databaseDown: boolean): ErrorPage {
  if (databaseDown) return { status: 503, titleKey: 'unavailableTitle', bodyKey: 'unavailableBody' };
  const status = error.statusCode ?? 500;
  if (status === 413) return { status, titleKey: 'tooLargeTitle', bodyKey: 'tooLargeBody' };
  if (status === 429) return { status, titleKey: 'tooManyTitle', bodyKey: 'tooManyBody' };
  if (status === 403 || (error.code ?? '').startsWith('FST_CSRF'))
    return { status: 403, titleKey: 'forbiddenTitle', bodyKey: 'forbiddenBody' };
  if (status === 404) return { status, titleKey: 'notFoundTitle', bodyKey: 'notFoundBody' };
  if (status >= 400 && status < 500) return { status, titleKey: 'badRequestTitle', bodyKey: 'badRequestBody' };
  return { status: 500, titleKey: 'serverTitle', bodyKey: 'serverBody' };
}

async function renderError(request: FastifyRequest, reply: FastifyReply, page: ErrorPage, reference?: string) {
  // The error may have come before the i18n hook ran (a body too large, say).
  if (!request.t) {
    request.lang = parseLang(request.cookies?.lang) ?? DEFAULT_LANG;
    request.t = makeTranslate(request.server.messages, request.lang);
  }
  reply.code(page.status);
  if (page.status === 503) reply.header('retry-after', '30');
  try {
    return await reply.page('error', {
      status: page.status,
      title: request.t(`common.errors.${page.titleKey}`),
      body: request.t(`common.errors.${page.bodyKey}`),
      reference,
      user: undefined,
    });
  } catch {
    // Rendering must never be the second failure a user sees.
    return reply
      .type('text/plain; charset=utf-8')
      .send(`${page.status} ${request.t(`common.errors.${page.titleKey}`)}`);
  }
}

export default fp(
  async (app) => {
    app.setNotFoundHandler(async (request, reply) => renderError(request, reply, classify({ statusCode: 404 }, false)));

    app.setErrorHandler(async (error, request, reply) => {
      const databaseDown = isDatabaseUnavailable(error);
      const page = classify(error as { statusCode?: number; code?: string }, databaseDown);
      if (page.status >= 500) {
        request.log.error(
          { err: error, reference: request.id },
          databaseDown ? 'database unavailable' : 'request failed',
        );
      } else {
        request.log.info({ code: (error as { code?: string }).code, status: page.status }, 'request refused');
      }
      return renderError(request, reply, page, page.status >= 500 ? String(request.id) : undefined);
    });
  },
  { name: 'errors', dependencies: ['views', 'i18n'] },
);
