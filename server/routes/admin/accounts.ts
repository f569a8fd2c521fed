// /admin/accounts: the filtered account list with keyset pagination; a plain GET form, so it works without JavaScript.
import type { FastifyPluginAsync } from 'fastify';
import { adminAccountsRepository, ACCOUNT_CATEGORIES, ACCOUNT_STATUSES } from '../../db/admin-accounts-repository';
import { encodeCursor, filterQueryString, readListQuery } from './list-filter';
import { formatTaiwanTime } from '../../taiwan-time';
import { isLocked } from '../../admin/account-rules';
import { displayAccountId } from '../../mask';
import { takeFlash } from './shared';

export const PAGE_SIZE = 50;

const accountsList: FastifyPluginAsync = async (app) => {
  app.get('/accounts', async (request, reply) => {
    const t = request.t;
    const now = app.now();
    const query = readListQuery(request);
    const repo = adminAccountsRepository(app.db);
    const [page, counts] = await Promise.all([
      repo.listPage(query.filter, { sort: query.sort, limit: PAGE_SIZE, after: query.after, before: query.before }),
      repo.countByStatus(query.filter),
    ]);
    const rows = page.items.map((item) => ({
      id: item.id,
      // The list always masks; an admin sees a full ID on the detail page, with a reason, audited.
      idNumber: displayAccountId(item.idNumber),
      name: item.name,
      email: item.email1 ?? '',
      category: t(`admin.category.${item.category}`),
      role: item.role === 'citizen' ? '' : t(`admin.role.${item.role}`),
      status: item.status,
      statusLabel: t(`admin.status.${item.status}`),
      locked: isLocked(item, now),
      createdAt: formatTaiwanTime(item.createdAt),
    }));
    const base = filterQueryString(query.values);
    const joiner = base ? '&' : '?';
    if (query.errors.length) reply.code(400);
    return reply.page('admin/accounts', {
      pageTitle: t('admin.list.title'),
      breadcrumb: [{ label: t('admin.dashboard.title'), href: '/admin' }, { label: t('admin.list.title') }],
      flash: takeFlash(request),
      errors: query.errors,
      values: query.values,
      rows,
      statusOptions: ACCOUNT_STATUSES.map((s) => ({ value: s, label: t(`admin.status.${s}`) })),
      categoryOptions: ACCOUNT_CATEGORIES.map((c) => ({ value: c, label: t(`admin.category.${c}`) })),
      counts: ACCOUNT_STATUSES.map((s) => ({
        status: s,
        label: t(`admin.status.${s}`),
        count: counts[s],
        href: `/admin/accounts${filterQueryString({ ...query.values, status: s })}`,
        current: query.filter.status === s,
      })),
      allHref: `/admin/accounts${filterQueryString({ ...query.values, status: '' })}`,
      nextHref: page.next ? `/admin/accounts${base}${joiner}after=${encodeCursor(page.next)}` : undefined,
      previousHref: page.previous ? `/admin/accounts${base}${joiner}before=${encodeCursor(page.previous)}` : undefined,
      // The export form repeats the filters in force (hidden fields): an export is a POST.
      csvFilter: Object.entries(query.values).filter(([, value]) => value !== ''),
    });
  });
};

export default accountsList;
