// /admin/accounts.csv: the filtered list, streamed in keyset batches, UTF-8 with a BOM so Excel reads the Chinese.
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { recordOperatorEvent } from '../../admin/operator-audit';
import { adminAccountsRepository } from '../../db/admin-accounts-repository';
import { readListQuery } from './list-filter';
import { formatTaiwanTime, taiwanDate } from '../../taiwan-time';
import { isLocked } from '../../admin/account-rules';
import { maskIdNumber } from '../../mask';
import { operatorOf } from './shared';

/**
 * One CSV cell. A cell a spreadsheet would read as a formula (= + - @, or a leading tab or carriage return) gets a
 * leading apostrophe (OWASP "CSV injection"); every cell is quoted, with quotes doubled (RFC 4180).
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvRow(values: unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}

const accountsCsv: FastifyPluginAsync = async (app) => {
  // An export is an audited act, so it is a POST with the CSRF token: a link on another site cannot make an
  // operator's browser export (and write an audit event). An old GET link shows the list with its filters instead.
  app.get('/accounts.csv', async (request, reply) => {
    const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.redirect(`/admin/accounts${search}`, 303);
  });

  app.post('/accounts.csv', async (request, reply) => {
    const t = request.t;
    const now = app.now();
    const operator = operatorOf(request);
    const query = readListQuery(request, request.body);
    // The list masks ID numbers for everyone; the export shows them whole to an admin only, and every export is audited.
    const fullIds = operator.role === 'admin';
    await recordOperatorEvent(
      app.db,
      operator,
      {
        action: 'account.export_csv',
        subjectAccountId: null,
        reason: null,
        details: { filter: { ...query.filter }, sort: query.sort, fullIds },
      },
      now,
    );
    const repo = adminAccountsRepository(app.db);
    const header = ['id', 'idNumber', 'name', 'category', 'status', 'locked', 'email', 'phone', 'registeredAt'].map(
      (k) => t(`admin.csv.${k}`),
    );
    async function* lines(): AsyncGenerator<string> {
      yield '\uFEFF' + csvRow(header);
      for await (const batch of repo.listAll(query.filter, query.sort)) {
        yield batch
          .map((item) =>
            csvRow([
              item.id,
              fullIds ? item.idNumber : maskIdNumber(item.idNumber),
              item.name,
              t(`admin.category.${item.category}`),
              t(`admin.status.${item.status}`),
              isLocked(item, now) ? t('admin.csv.yes') : '',
              item.email1,
              item.phone,
              formatTaiwanTime(item.createdAt),
            ]),
          )
          .join('');
      }
    }
    const day = taiwanDate(now);
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="accounts-${day}.csv"`);
    return reply.send(Readable.from(lines()));
  });
};

export default accountsCsv;
