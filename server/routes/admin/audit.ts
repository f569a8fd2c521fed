// /admin/audit: the append-only, hash-chained audit trail with filters and keyset pagination, and the chain check.
import type { FastifyPluginAsync } from 'fastify';
import { recordOperatorEvent } from '../../admin/operator-audit';
import { adminAccountsRepository } from '../../db/admin-accounts-repository';
import { auditRepository } from '../../db/audit-repository';
import type { FieldError } from '../../plugins/views';
import { formatTaiwanTime, taiwanDayStart } from '../../taiwan-time';
import { operatorOf, parseDay, parseId, seeOther, setFlash, takeFlash } from './shared';
import { actorDisplay, auditActionLabel } from './labels';

export const AUDIT_PAGE_SIZE = 50;

function text(raw: unknown, max: number): string {
  return typeof raw === 'string' ? raw.trim().slice(0, max) : '';
}

const auditLog: FastifyPluginAsync = async (app) => {
  app.get('/audit', async (request, reply) => {
    const t = request.t;
    const query = (request.query ?? {}) as Record<string, unknown>;
    const values = {
      actor: text(query.actor, 100),
      action: text(query.action, 100),
      from: text(query.from, 20),
      to: text(query.to, 20),
    };
    const errors: FieldError[] = [];
    const filter: { actor?: string; action?: string; from?: Date; to?: Date } = {};
    if (values.actor) filter.actor = values.actor;
    if (values.action) filter.action = values.action;
    if (values.from) {
      const day = parseDay(values.from.replace(/\//g, '-'));
      if (day) filter.from = taiwanDayStart(day);
      else errors.push({ href: '#from', text: t('admin.audit.errors.fromInvalid') });
    }
    if (values.to) {
      const day = parseDay(values.to.replace(/\//g, '-'));
      // The "to" day is included: events before the start of the next day.
      if (day) filter.to = new Date(taiwanDayStart(day).getTime() + 24 * 3600_000);
      else errors.push({ href: '#to', text: t('admin.audit.errors.toInvalid') });
    }

    const audit = auditRepository(app.db);
    const admin = adminAccountsRepository(app.db);
    const beforeId = parseId(query.before);
    const afterId = beforeId === undefined ? parseId(query.after) : undefined;
    let events;
    let hasNewer: boolean;
    let hasOlder: boolean;
    if (afterId !== undefined) {
      // Going back to newer events: find the page just above the cursor, then read it newest first.
      const newer = await admin.auditEventIdsNewerThan(filter, afterId, AUDIT_PAGE_SIZE);
      events = newer.ids.length
        ? await audit.list({ ...filter, beforeId: newer.ids[0] + 1, limit: AUDIT_PAGE_SIZE })
        : [];
      hasNewer = newer.more;
      hasOlder = true;
    } else {
      const rows = await audit.list({ ...filter, beforeId, limit: AUDIT_PAGE_SIZE + 1 });
      hasOlder = rows.length > AUDIT_PAGE_SIZE;
      events = rows.slice(0, AUDIT_PAGE_SIZE);
      hasNewer = beforeId !== undefined;
    }
    const params = new URLSearchParams(Object.entries(values).filter(([, v]) => v));
    const link = (key: string, id: number) => {
      const p = new URLSearchParams(params);
      p.set(key, String(id));
      return `/admin/audit?${p.toString()}`;
    };
    if (errors.length) reply.code(400);
    return reply.page('admin/audit', {
      pageTitle: t('admin.audit.title'),
      breadcrumb: [{ label: t('admin.dashboard.title'), href: '/admin' }, { label: t('admin.audit.title') }],
      flash: takeFlash(request),
      errors,
      values,
      actionOptions: (await admin.auditActions()).map((action) => ({
        value: action,
        label: auditActionLabel(t, action),
      })),
      events: events.map((e) => ({
        id: e.id,
        at: formatTaiwanTime(e.at),
        actor: actorDisplay(t, e.actorLabel),
        action: e.action,
        actionLabel: auditActionLabel(t, e.action),
        subjectAccountId: e.subjectAccountId,
        reason: e.reason ?? '',
        hash: e.hash.slice(0, 12),
      })),
      newerHref: hasNewer && events.length ? link('after', events[0].id) : undefined,
      olderHref: hasOlder && events.length ? link('before', events[events.length - 1].id) : undefined,
    });
  });

  // A POST so that no link prefetch or crawler walks the whole chain; the result comes back on the audit page.
  app.post('/audit/verify', async (request, reply) => {
    const operator = operatorOf(request);
    const check = await auditRepository(app.db).verifyChain();
    await recordOperatorEvent(
      app.db,
      operator,
      {
        action: 'audit.verify_chain',
        subjectAccountId: null,
        details: { ok: check.ok, checked: check.checked, brokenAt: check.brokenAt ?? null },
      },
      app.now(),
    );
    request.log.info({ ok: check.ok, checked: check.checked, brokenAt: check.brokenAt }, 'audit chain checked');
    const t = request.t;
    setFlash(
      request,
      check.ok
        ? { kind: 'success', text: t('admin.audit.chainOk', { checked: check.checked }) }
        : {
            kind: 'error',
            text: t('admin.audit.chainBroken', {
              id: check.brokenAt!.id,
              problem: t(`admin.audit.problem.${check.brokenAt!.problem}`),
              checked: check.checked,
            }),
          },
    );
    return seeOther(reply, '/admin/audit');
  });
};

export default auditLog;
