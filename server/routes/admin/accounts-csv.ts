// /admin/accounts.csv: the filtered list, streamed in keyset batches, UTF-8 with a BOM so Excel reads the Chinese.
import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { recordOperatorEvent } from '../../admin/operator-audit';
import { adminAccountsRepository, type AccountExportItem } from '../../db/admin-accounts-repository';
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

const CITIZEN_COLUMNS = ['id', 'idNumber', 'name', 'category', 'status', 'locked', 'email', 'phone', 'registeredAt'];
const ORGANISATION_COLUMNS = [
  'reference',
  'kind',
  'organisationName',
  'organisationId',
  'certificate',
  'representative',
  'contactName',
  'mobile',
  'licenceNumber',
];

/** 帳號類別: a person (citizen card), a company (統一編號) or an agency (機關代碼), which also says what the id column holds. */
function accountKind(item: Pick<AccountExportItem, 'organisation'>): 'person' | 'company' | 'agency' {
  if (!item.organisation) return 'person';
  return item.organisation.organisationIdKind === 'agency_code' ? 'agency' : 'company';
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
    // New columns go after the old ones, so a spreadsheet built on an earlier export still finds its columns.
    const header = [...CITIZEN_COLUMNS, ...ORGANISATION_COLUMNS].map((k) => t(`admin.csv.${k}`));
    async function* lines(): AsyncGenerator<string> {
      yield '\uFEFF' + csvRow(header);
      for await (const batch of repo.exportAll(query.filter, query.sort)) {
        yield batch
          .map((item) => {
            const org = item.organisation;
            return csvRow([
              item.id,
              // An organisation account's id number is only the portal's key (category and 統一編號): its
              // 統一編號 or 機關代碼 has a column of its own.
              org ? '' : fullIds ? item.idNumber : maskIdNumber(item.idNumber),
              item.name,
              t(`admin.category.${item.category}`),
              t(`admin.status.${item.status}`),
              isLocked(item, now) ? t('admin.csv.yes') : '',
              item.email1,
              item.phone,
              formatTaiwanTime(item.createdAt),
              item.reference,
              t(`admin.csv.kinds.${accountKind(item)}`),
              org?.organisationName,
              org?.organisationId,
              org && t(`admin.detail.organisation.certificates.${org.certificateKind}`),
              org?.representative,
              org?.contactName,
              org?.mobile,
              org?.licenceNumber,
            ]);
          })
          .join('');
      }
    }
    const day = taiwanDate(now);
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="accounts-${day}.csv"`);
    return reply.send(Readable.from(lines()));
  });
};

export default accountsCsv;
