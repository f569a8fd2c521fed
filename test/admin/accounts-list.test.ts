// The accounts list over 1,000 generated accounts: keyset pagination both ways, filters, search, counts, and the CSV export
// (with the company and agency columns).
import t from 'tap';
import { buildTestApp, csrfFrom } from '../helpers/app';
import { createAccount, createCast, createOrganisationAccount } from './fixtures';
import { csvCell, csvRow } from '../../server/routes/admin/accounts-csv';
import { newReference, parseReference } from '../../server/registration/reference';
import { decodeCursor, encodeCursor } from '../../server/routes/admin/list-filter';

const ctx = await buildTestApp();
t.teardown(ctx.close);
const pool = ctx.db.pool;
const cast = await createCast(pool);

// 1,000 accounts in one statement: three per hour from 2026-10-01 (Taiwan time), some sharing the exact same
// registration time (so the id breaks ties) and some a microsecond apart (so cursors must keep microseconds).
await pool.query(`
  INSERT INTO accounts (category, role, id_number, name, email1, status, created_at, updated_at)
  SELECT CASE WHEN i % 5 = 0 THEN 'customs_specialist' ELSE 'individual' END,
         'citizen',
         'C1' || lpad(i::text, 8, '0'),
         '測試' || i,
         'user' || i || '@example.tw',
         CASE WHEN i % 10 = 0 THEN 'pending_review' WHEN i % 10 = 1 THEN 'suspended' ELSE 'active' END,
         timestamptz '2026-10-01 00:00:00+08' + (i / 3) * interval '1 hour' + (i % 2) * interval '1 microsecond',
         now()
  FROM generate_series(1, 1000) AS i`);

const TOTAL = 1000 + 3;
const get = (url: string, cookie = cast.cookies.operator) => ctx.app.inject({ url, headers: { cookie } });

/** The export form on the list page: a POST with the page's CSRF token and the filters as fields. */
async function exportCsv(filter: Record<string, string>, cookie = cast.cookies.operator) {
  const list = await get('/admin/accounts', cookie);
  return ctx.app.inject({
    method: 'POST',
    url: '/admin/accounts.csv',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrfFrom(list.body), ...filter }).toString(),
  });
}

function idsOn(html: string): number[] {
  return [...html.matchAll(/data-account-id="(\d+)"/g)].map((m) => Number(m[1]));
}

function link(html: string, rel: 'next' | 'prev'): string | undefined {
  const match = new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html);
  return match?.[1].replace(/&amp;/g, '&');
}

async function walk(start: string, rel: 'next' | 'prev'): Promise<{ ids: number[]; pages: number; last: string }> {
  const ids: number[] = [];
  let url: string | undefined = start;
  let pages = 0;
  let last = start;
  while (url) {
    const res = await get(url);
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
    pages += 1;
    last = url;
    ids.push(...(rel === 'next' ? idsOn(res.body) : idsOn(res.body).reverse()));
    url = link(res.body, rel);
    if (pages > 100) throw new Error('pagination does not end');
  }
  return { ids, pages, last };
}

async function expectedOrder(where = 'TRUE', params: unknown[] = [], direction = 'DESC'): Promise<number[]> {
  const { rows } = await pool.query(
    `SELECT id FROM accounts WHERE ${where} ORDER BY created_at ${direction}, id ${direction}`,
    params,
  );
  return rows.map((r) => Number(r.id));
}

t.test('following next links visits every account once, newest first, 50 per page', async (t) => {
  const first = await get('/admin/accounts');
  t.equal(idsOn(first.body).length, 50);
  t.notOk(link(first.body, 'prev'), 'the first page has no previous link');
  const { ids, pages } = await walk('/admin/accounts', 'next');
  t.equal(pages, Math.ceil(TOTAL / 50));
  t.equal(new Set(ids).size, TOTAL);
  t.same(ids, await expectedOrder());
});

t.test('following previous links from the last page walks back over the same pages', async (t) => {
  const forward = await walk('/admin/accounts', 'next');
  const lastPage = await get(forward.last);
  t.notOk(link(lastPage.body, 'next'), 'the last page has no next link');
  const back = await walk(forward.last, 'prev');
  t.equal(back.pages, forward.pages);
  t.same(back.ids, [...forward.ids].reverse(), 'the same accounts, met in reverse order');
});

t.test('a previous page holds exactly the rows of the page before it', async (t) => {
  const page1 = await get('/admin/accounts');
  const page2 = await get(link(page1.body, 'next')!);
  const backToPage1 = await get(link(page2.body, 'prev')!);
  t.same(idsOn(backToPage1.body), idsOn(page1.body));
  t.notOk(link(backToPage1.body, 'prev'), 'back on the first page there is no previous link');
});

t.test('oldest-first sorting pages through everything in registration order', async (t) => {
  const { ids } = await walk('/admin/accounts?sort=oldest', 'next');
  t.same(ids, await expectedOrder('TRUE', [], 'ASC'));
});

t.test('the status filter pages through pending registrations only and keeps the filter in the links', async (t) => {
  const first = await get('/admin/accounts?status=pending_review');
  t.match(link(first.body, 'next')!, /status=pending_review/);
  const { ids } = await walk('/admin/accounts?status=pending_review', 'next');
  t.same(ids, await expectedOrder("status = 'pending_review'"));
  t.equal(ids.length, 100);
});

t.test('the category filter and the status filter combine', async (t) => {
  const { ids } = await walk('/admin/accounts?status=active&category=customs_specialist', 'next');
  t.same(ids, await expectedOrder("status = 'active' AND category = 'customs_specialist'"));
});

t.test('the date filter takes whole Taiwan calendar days, both ends included', async (t) => {
  const { ids } = await walk('/admin/accounts?from=2026-10-02&to=2026-10-02', 'next');
  t.equal(ids.length, 72);
  t.same(ids, await expectedOrder("created_at >= '2026-10-02 00:00:00+08' AND created_at < '2026-10-03 00:00:00+08'"));
});

t.test('dates typed with slashes are accepted', async (t) => {
  const res = await get('/admin/accounts?from=2026%2F10%2F02&to=2026%2F10%2F02');
  t.equal(res.statusCode, 200);
  t.equal(idsOn(res.body).length, 50);
});

t.test('an impossible date is shown as an error in the summary and at the field', async (t) => {
  const res = await get('/admin/accounts?from=2026-02-30');
  t.equal(res.statusCode, 400);
  t.match(res.body, /<a href="#from">註冊日期（起）請輸入有效日期/);
  t.match(res.body, /id="from-error"/);
  t.match(res.body, /value="2026-02-30"/, 'the value is kept');
});

t.test('a to date before the from date is refused', async (t) => {
  const res = await get('/admin/accounts?from=2026-10-05&to=2026-10-01');
  t.equal(res.statusCode, 400);
  t.match(res.body, /不可早於/);
});

t.test('search finds an account by its ID number, in either case', async (t) => {
  for (const q of ['C100000042', 'c100000042']) {
    const res = await get(`/admin/accounts?q=${q}`);
    t.equal(idsOn(res.body).length, 1, q);
    t.match(res.body, /C10\*\*\*\*042/);
  }
});

t.test('search finds accounts by part of the name', async (t) => {
  const res = await get(`/admin/accounts?q=${encodeURIComponent('測試42')}`);
  t.same(idsOn(res.body).sort(), (await expectedOrder("name LIKE '測試42%'")).sort());
  t.equal(idsOn(res.body).length, 11);
});

t.test('search finds an account by email', async (t) => {
  const res = await get(`/admin/accounts?q=${encodeURIComponent('USER999@example')}`);
  t.equal(idsOn(res.body).length, 1);
});

t.test('LIKE wildcards in a search are matched literally', async (t) => {
  const res = await get(`/admin/accounts?q=${encodeURIComponent('%')}`);
  t.equal(idsOn(res.body).length, 0);
  t.match(res.body, /沒有符合條件的帳號/);
});

t.test('counts per status follow the other filters', async (t) => {
  const res = await get('/admin/accounts?category=customs_specialist&status=active');
  const count = (status: string) => Number(new RegExp(`id="status-count-${status}">(\\d+)<`).exec(res.body)?.[1]);
  const { rows } = await pool.query(
    "SELECT status, count(*)::int AS n FROM accounts WHERE category = 'customs_specialist' GROUP BY status",
  );
  for (const row of rows) t.equal(count(row.status), row.n, row.status);
  t.equal(count('rejected'), 0);
});

t.test('the list never shows a full ID number, even to an admin', async (t) => {
  const res = await get('/admin/accounts', cast.cookies.admin);
  t.notMatch(res.body, /C1\d{8}/);
  t.match(res.body, /C10\*\*\*\*\d{3}/);
});

t.test('an edited or broken cursor starts from the first page', async (t) => {
  const res = await get('/admin/accounts?after=not-a-cursor');
  t.equal(res.statusCode, 200);
  t.same(idsOn(res.body), (await expectedOrder()).slice(0, 50));
  const injected = Buffer.from(JSON.stringify(["2026-10-01'; DROP TABLE accounts; --", 1])).toString('base64url');
  t.equal((await get(`/admin/accounts?after=${injected}`)).statusCode, 200);
});

t.test('a cursor keeps the microseconds of the registration time', async (t) => {
  const cursor = { createdAt: '2026-10-01 00:00:00.000001+00', id: 7 };
  t.same(decodeCursor(encodeCursor(cursor)), cursor);
});

t.test('a CSV cell starting with = + - @ tab or carriage return is defused with an apostrophe', async (t) => {
  t.equal(csvCell('=1+2'), `"'=1+2"`);
  t.equal(csvCell('+886912345678'), `"'+886912345678"`);
  t.equal(csvCell('-2+3'), `"'-2+3"`);
  t.equal(csvCell('@SUM(A1)'), `"'@SUM(A1)"`);
  t.equal(csvCell('\t=cmd'), `"'\t=cmd"`);
  t.equal(csvCell('\r=cmd'), `"'\r=cmd"`);
  t.equal(csvCell('王小明'), '"王小明"');
  t.equal(csvCell('a=b'), '"a=b"', 'only a leading character matters');
});

t.test('a CSV cell with quotes, commas and line breaks is quoted per RFC 4180', async (t) => {
  t.equal(csvCell('say "hi"'), '"say ""hi"""');
  t.equal(csvCell('a,b'), '"a,b"');
  t.equal(csvCell('line1\nline2'), '"line1\nline2"');
  t.equal(csvCell(null), '""');
  t.equal(csvRow([1, 'x']), '"1","x"\r\n');
});

t.test('the CSV export is UTF-8 with a BOM, an attachment, and defuses formulas in account data', async (t) => {
  const evil = await createAccount(pool, {
    name: '=HYPERLINK("http://evil.example","點我")',
    email1: '@SUM(1+1)',
    idNumber: 'Z100000001',
  });
  const res = await exportCsv({ q: 'HYPERLINK' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/csv; charset=utf-8/);
  t.match(res.headers['content-disposition'], /^attachment; filename="accounts-\d{4}-\d{2}-\d{2}\.csv"$/);
  const bytes = res.rawPayload;
  t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 BOM');
  const lines = res.body
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean);
  t.equal(lines.length, 2);
  t.match(lines[0], /^"帳號編號","身分證號","姓名"/);
  t.ok(lines[1].startsWith(`"${evil.id}","Z10****001","'=HYPERLINK(""http://evil.example"",""點我"")"`), lines[1]);
  t.match(lines[1], /"'@SUM\(1\+1\)"/);
});

t.test('the CSV export streams the whole filtered list in order', async (t) => {
  const res = await exportCsv({ status: 'pending_review' });
  const lines = res.body
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean);
  t.equal(lines.length, 1 + 100);
  const ids = lines.slice(1).map((l) => Number(/^"(\d+)"/.exec(l)![1]));
  t.same(ids, await expectedOrder("status = 'pending_review'"));
  const all = await exportCsv({});
  t.equal(
    all.body
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter(Boolean).length,
    1 + TOTAL + 1,
  );
});

t.test('the CSV export masks ID numbers for an operator and shows them to an admin', async (t) => {
  const operatorCsv = await exportCsv({ q: 'C100000042' });
  t.match(operatorCsv.body, /"C10\*\*\*\*042"/);
  t.notMatch(operatorCsv.body, /C100000042/);
  const adminCsv = await exportCsv({ q: 'C100000042' }, cast.cookies.admin);
  t.match(adminCsv.body, /"C100000042"/);
});

t.test('every CSV export is an audit event with its filter', async (t) => {
  await exportCsv({ status: 'suspended', q: 'abc' });
  const { rows } = await pool.query(
    "SELECT actor_label, details FROM audit_events WHERE action = 'account.export_csv' ORDER BY id DESC LIMIT 1",
  );
  t.equal(rows[0].actor_label, 'operator:陳承辦');
  t.match(rows[0].details, { filter: { status: 'suspended', q: 'abc' }, fullIds: false });
});

t.test(
  'the CSV export cannot be started by a link: GET shows the list, a POST without the CSRF token is refused, neither is audited',
  async (t) => {
    const count = async () =>
      (await pool.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'account.export_csv'")).rows[0].n;
    const before = await count();
    const link = await get('/admin/accounts.csv?status=active');
    t.equal(link.statusCode, 303);
    t.equal(link.headers.location, '/admin/accounts?status=active');
    const forged = await ctx.app.inject({
      method: 'POST',
      url: '/admin/accounts.csv',
      headers: { cookie: cast.cookies.operator, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'status=active',
    });
    t.equal(forged.statusCode, 403);
    t.equal(await count(), before, 'no audit event');
    const list = await get('/admin/accounts?status=active');
    t.match(list.body, /<form method="post" action="\/admin\/accounts\.csv"/);
    t.match(
      list.body,
      /<input type="hidden" name="status" value="active">/,
      'the export form carries the filter in force',
    );
  },
);

/** The cells of an export's lines (no cell of these fixtures holds a line break), each line keyed by the header. */
function csvRecords(body: string): { header: string[]; records: Record<string, string>[] } {
  const [header, ...rows] = body
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean)
    .map((line) => [...line.matchAll(/"((?:[^"]|"")*)"(?:,|$)/g)].map((m) => m[1].replace(/""/g, '"')));
  return { header, records: rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i]]))) };
}

// Made after the tests above have counted the list, on one Taiwan day no other account of this file was registered on,
// so that the date filter exports exactly these three.
t.test('company and agency accounts in the CSV export', async (t) => {
  const COMPANY_DAY = '2027-03-15';
  const at = (seconds: number) => new Date(Date.parse(`${COMPANY_DAY}T10:00:00+08:00`) + seconds * 1000);
  const applicant = await createAccount(
    pool,
    { name: '李申請', idNumber: 'Z200000002', reference: newReference(at(0)) },
    at(0),
  );
  const broker = await createOrganisationAccount(
    pool,
    {
      organisationId: '23456786',
      organisationName: '=HYPERLINK("http://evil.example","台關報關")',
      representative: '林大海',
      contactName: '+陳小芬',
      mobile: '0912-345-678',
      licenceNumber: '北關登字第 1234 號',
    },
    at(1),
  );
  const agency = await createOrganisationAccount(
    pool,
    {
      category: 'government',
      organisationId: '2.16.886.101.99001.1',
      organisationIdKind: 'agency_code',
      certificateKind: 'gca',
      organisationName: '測試關務署',
      representative: '王署長',
      contactName: '張科員',
      mobile: null,
    },
    at(2),
  );
  const companyDay = { from: COMPANY_DAY, to: COMPANY_DAY, sort: 'oldest' };

  t.test(
    'the CSV export adds the 申請編號 and company columns after the citizen ones, headed from the locale',
    async (t) => {
      const citizenColumns = [
        '帳號編號',
        '身分證號',
        '姓名',
        '申請類別',
        '狀態',
        '登入鎖定',
        'Email',
        '聯絡電話',
        '註冊時間',
      ];
      const { header } = csvRecords((await exportCsv(companyDay)).body);
      t.same(header, [
        ...citizenColumns,
        '申請編號',
        '帳號類別',
        '公司（機關）名稱',
        '統一編號／機關代碼',
        '註冊使用的憑證',
        '負責人',
        '聯絡人',
        '行動電話',
        '證照（許可）字號',
      ]);
      const english = csvRecords((await exportCsv(companyDay, `${cast.cookies.operator}; lang=en`)).body);
      t.same(english.header.slice(9), [
        'Application reference',
        'Account kind',
        'Company or agency name',
        'Unified business number / agency code',
        'Registered with',
        'Person in charge',
        'Contact person',
        'Mobile phone',
        'Licence or permit number',
      ]);
      t.equal(english.records[1]['Account kind'], 'Company');
    },
  );

  t.test(
    'a company row carries its 統一編號, 負責人, 聯絡人, licence and 申請編號; a citizen row its 申請編號 only',
    async (t) => {
      const { records } = csvRecords((await exportCsv(companyDay)).body);
      t.same(
        records.map((r) => Number(r['帳號編號'])),
        [applicant.id, broker.account.id, agency.account.id],
      );
      const [person, company, government] = records;

      t.equal(person['申請編號'], applicant.reference);
      t.equal(person['帳號類別'], '自然人');
      t.equal(person['身分證號'], 'Z20****002');
      for (const column of [
        '公司（機關）名稱',
        '統一編號／機關代碼',
        '註冊使用的憑證',
        '負責人',
        '聯絡人',
        '證照（許可）字號',
      ]) {
        t.equal(person[column], '', `a citizen has no ${column}`);
      }

      t.equal(company['申請編號'], broker.account.reference);
      t.ok(parseReference(company['申請編號']), 'a well-formed 申請編號');
      t.equal(company['帳號類別'], '公司');
      t.equal(company['申請類別'], '報關業');
      t.equal(company['狀態'], '待審核');
      t.equal(company['統一編號／機關代碼'], '23456786');
      t.equal(company['身分證號'], '', "the portal's internal key is not shown as an ID number");
      t.equal(company['註冊使用的憑證'], '工商憑證');
      t.equal(company['負責人'], '林大海');
      t.equal(company['行動電話'], '0912-345-678');
      t.equal(company['證照（許可）字號'], '北關登字第 1234 號');

      t.equal(government['帳號類別'], '機關');
      t.equal(government['申請類別'], '政府機關');
      t.equal(government['統一編號／機關代碼'], '2.16.886.101.99001.1');
      t.equal(government['註冊使用的憑證'], '政府憑證');
      t.equal(government['聯絡人'], '張科員');
      t.equal(government['證照（許可）字號'], '', 'an agency gives no licence number');
      t.equal(government['申請編號'], agency.account.reference);
    },
  );

  t.test('a formula in a company name or contact is defused in every column that shows it', async (t) => {
    const res = await exportCsv({ category: 'customs_broker' });
    const { records } = csvRecords(res.body);
    t.equal(records.length, 1);
    t.equal(records[0]['姓名'], `'=HYPERLINK("http://evil.example","台關報關")`);
    t.equal(records[0]['公司（機關）名稱'], `'=HYPERLINK("http://evil.example","台關報關")`);
    t.equal(records[0]['聯絡人'], "'+陳小芬");
    t.match(res.body, /"'=HYPERLINK\(""http:\/\/evil\.example"",""台關報關""\)"/, 'quotes doubled inside the cell');
    t.notMatch(res.body, /(^|,)"[=+\-@]/m, 'no cell of the file starts with a formula character');
  });

  t.test("an admin's export shows citizens' ID numbers whole and still no internal key for a company", async (t) => {
    const res = await exportCsv(companyDay, cast.cookies.admin);
    const { records } = csvRecords(res.body);
    t.equal(records[0]['身分證號'], 'Z200000002');
    t.equal(records[1]['身分證號'], '');
    t.notMatch(res.body, /customs_broker:|government:/);
  });
});
