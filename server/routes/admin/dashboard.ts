// /admin: counts by status and registrations per day for the last 30 days.
import type { FastifyPluginAsync } from 'fastify';
import { adminAccountsRepository, ACCOUNT_STATUSES } from '../../db/admin-accounts-repository';
import { barChart } from './chart';
import { taiwanDate } from '../../taiwan-time';
import { takeFlash } from './shared';

const dashboard: FastifyPluginAsync = async (app) => {
  app.get('/', async (request, reply) => {
    const repo = adminAccountsRepository(app.db);
    const [counts, days] = await Promise.all([
      repo.countByStatus(),
      repo.registrationsPerDay(taiwanDate(app.now()), 30),
    ]);
    const t = request.t;
    return reply.page('admin/index', {
      pageTitle: t('admin.dashboard.title'),
      flash: takeFlash(request),
      statuses: ACCOUNT_STATUSES.map((status) => ({
        status,
        label: t(`admin.status.${status}`),
        count: counts[status],
      })),
      chart: barChart(days),
      days,
      total: days.reduce((sum, d) => sum + d.count, 0),
    });
  });
};

export default dashboard;
