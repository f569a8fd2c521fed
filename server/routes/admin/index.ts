// /admin: the operator pages (DESIGN.md §6). One guard for the whole folder checks the role on the server, on every request.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config';
import { accountsRepository } from '../../db/accounts-repository';
import { safeLocalPath } from '../../safe-redirect';
import dashboard from './dashboard';
import accountsList from './accounts';
import accountsCsv from './accounts-csv';
import accountDetail from './account-detail';
import accountAction from './account-action';
import certificateUnbind from './certificate-unbind';
import fullId from './full-id';
import auditLog from './audit';

export type AdminRole = 'operator' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a route under /admin needs beyond the folder's operator-or-admin rule. */
    adminRole?: AdminRole;
  }
}

async function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  bodyKey = 'admin.forbidden.body',
): Promise<FastifyReply> {
  reply.code(403);
  return reply.page('admin/forbidden', { pageTitle: request.t('admin.forbidden.title'), body: request.t(bodyKey) });
}

const admin: FastifyPluginAsync<{ config: Config }> = async (app, { config }) => {
  app.addHook('onRequest', async (_request, reply) => {
    // Personal data: never kept by a browser or proxy cache.
    reply.header('cache-control', 'no-store');
  });

  app.addHook('preHandler', async (request, reply) => {
    const user = request.session.user;
    if (!user) {
      const next = request.method === 'GET' ? safeLocalPath(request.url, '/admin') : '/admin';
      return reply.code(303).redirect(`/login?next=${encodeURIComponent(next)}`);
    }
    if (user.role !== 'operator' && user.role !== 'admin') return refuse(request, reply);
    // The session says who logged in; the database says whether they may still act (suspended or demoted since).
    const account = await accountsRepository(app.db).findById(user.accountId);
    if (!account || account.status !== 'active' || account.role !== user.role) return refuse(request, reply);
    // In production operators act only after a certificate login; a password is for the first admin of a demo.
    if (config.mode === 'production' && user.method !== 'certificate')
      return refuse(request, reply, 'admin.forbidden.certificateRequired');
    if (request.routeOptions.config?.adminRole === 'admin' && user.role !== 'admin') return refuse(request, reply);
  });

  await app.register(dashboard);
  await app.register(accountsList);
  await app.register(accountsCsv);
  await app.register(accountDetail);
  await app.register(accountAction);
  await app.register(certificateUnbind);
  await app.register(fullId);
  await app.register(auditLog);
};

export default admin;
