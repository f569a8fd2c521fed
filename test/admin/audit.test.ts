// The audit log page: filters, keyset pagination, and the hash chain check finding a row altered directly in SQL.
import t from 'tap';
import { buildTestApp } from '../helpers/app';
import { auditRepository } from '../../server/db/audit-repository';
import { withTransaction } from '../../server/db/transaction';
import { createCast, csrfTokenFor, postForm } from './fixtures';

const ctx = await buildTestApp();
t.teardown(ctx.close);
const pool = ctx.db.pool;
const cast = await createCast(pool);
const get = (url: string) => ctx.app.inject({ url, headers: { cookie: cast.cookies.operator } });

// 120 events from two actors and three actions, on known days.
for (let i = 0; i < 120; i++) {
  await withTransaction(pool, (client) =>
    auditRepository(client).append(
      {
        actorAccountId: i % 2 ? cast.operator.id : cast.admin.id,
        actorLabel: i % 2 ? 'operator:陳承辦' : 'admin:張管理',
        action: ['account.approve', 'account.suspend', 'account.unlock'][i % 3],
        subjectAccountId: cast.citizen.id,
        reason: `理由 ${i}`,
      },
      new Date(Date.UTC(2026, 9, 1 + Math.floor(i / 10), 4)),
    ),
  );
}

function eventIds(html: string): number[] {
  return [...html.matchAll(/data-event-id="(\d+)"/g)].map((m) => Number(m[1]));
}

function link(html: string, rel: 'next' | 'prev'): string | undefined {
  const match = new RegExp(`<a href="([^"]+)" rel="${rel}">`).exec(html);
  return match?.[1].replace(/&amp;/g, '&');
}

t.test('the audit log lists events newest first, 50 per page, with older and newer links', async (t) => {
  const all = (await pool.query('SELECT id FROM audit_events ORDER BY id DESC')).rows.map((r) => Number(r.id));
  const seen: number[] = [];
  let url: string | undefined = '/admin/audit';
  let last = url;
  while (url) {
    const res = await get(url);
    t.equal(res.statusCode, 200);
    seen.push(...eventIds(res.body));
    last = url;
    url = link(res.body, 'next');
  }
  t.same(seen, all);
  const back: number[] = [];
  url = last;
  while (url) {
    const res = await get(url);
    back.unshift(...eventIds(res.body));
    url = link(res.body, 'prev');
  }
  t.same(back, all, 'walking back with the newer links meets the same events');
});

t.test('the audit log filters by actor', async (t) => {
  const res = await get(`/admin/audit?actor=${encodeURIComponent('admin:張')}`);
  const ids = eventIds(res.body);
  t.equal(ids.length, 50);
  const { rows } = await pool.query('SELECT actor_label FROM audit_events WHERE id = ANY($1)', [ids]);
  t.ok(rows.every((r) => r.actor_label === 'admin:張管理'));
});

t.test('the audit log filters by action and keeps the filter in the page links', async (t) => {
  const res = await get('/admin/audit?action=account.unlock');
  t.equal(eventIds(res.body).length, 40);
  t.notOk(link(res.body, 'next'));
  t.match(res.body, /<option value="account.unlock" selected>/);
  const actors = await get('/admin/audit?actor=operator');
  t.match(link(actors.body, 'next')!, /actor=operator/);
});

t.test('the audit log filters by Taiwan calendar days', async (t) => {
  const res = await get('/admin/audit?from=2026-10-02&to=2026-10-03');
  t.equal(eventIds(res.body).length, 20);
});

t.test('an invalid audit date is reported at the field', async (t) => {
  const res = await get('/admin/audit?to=2026-13-01');
  t.equal(res.statusCode, 400);
  t.match(res.body, /<a href="#to">/);
});

t.test('the chain check reports an intact chain', async (t) => {
  const csrf = await csrfTokenFor(ctx.app, cast.cookies.operator);
  const res = await postForm(ctx.app, '/admin/audit/verify', cast.cookies.operator, { _csrf: csrf });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/audit');
  const page = await get('/admin/audit');
  t.match(page.body, /雜湊鏈完整：共檢查 \d+ 筆紀錄，沒有發現竄改。/);
  const { rows } = await pool.query(
    "SELECT details FROM audit_events WHERE action = 'audit.verify_chain' ORDER BY id DESC LIMIT 1",
  );
  t.match(rows[0].details, { ok: true });
});

t.test('the chain check finds a row altered directly in SQL and names the first broken link', async (t) => {
  const target = (await pool.query("SELECT id FROM audit_events WHERE reason = '理由 30'")).rows[0].id;
  await pool.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
  try {
    await pool.query("UPDATE audit_events SET reason = '竄改的理由' WHERE id = $1", [target]);
  } finally {
    await pool.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');
  }
  const csrf = await csrfTokenFor(ctx.app, cast.cookies.admin);
  const res = await postForm(ctx.app, '/admin/audit/verify', cast.cookies.admin, { _csrf: csrf });
  t.equal(res.statusCode, 303);
  const page = await ctx.app.inject({ url: '/admin/audit', headers: { cookie: cast.cookies.admin } });
  t.match(page.body, new RegExp(`雜湊鏈在第 ${target} 號紀錄斷開（紀錄內容與雜湊不符）`));
  t.match(page.body, /class="admin-alert" role="alert"/);
  await t.rejects(
    pool.query('DELETE FROM audit_events WHERE id = $1', [target]),
    /append-only/,
    'the trigger is back on',
  );
});

t.test('the chain check refuses a request without a CSRF token', async (t) => {
  const res = await postForm(ctx.app, '/admin/audit/verify', cast.cookies.operator, {});
  t.equal(res.statusCode, 403);
});
