// Operators read words, not codes: every audit action and login outcome the portal writes is worded in both
// languages (found in the server's own source, so an action added without its words fails here), and the operator
// pages show those words with the code kept only in a data attribute.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadMessages, makeTranslate } from '../../server/plugins/i18n';
import { ACCOUNT_ACTIONS } from '../../server/admin/account-rules';
import { CHAIN_REASONS, SIGNATURE_REASONS } from '../../server/pki/index';
import {
  actorDisplay,
  auditActionLabel,
  loginOutcomeLabel,
  unboundReasonLabel,
} from '../../server/routes/admin/labels';
import { buildTestApp } from '../helpers/app';
import { createAccount, createCast, csrfTokenFor, postForm } from './fixtures';

const SERVER_DIR = new URL('../../server/', import.meta.url).pathname;
const messages = loadMessages();
const zh = makeTranslate(messages, 'zh-TW');
const en = makeTranslate(messages, 'en');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}
const sources = sourceFiles(SERVER_DIR).map((file) => readFileSync(file, 'utf8'));

/** Every string literal written as an audit action, and the operator actions' `account.${action}`. */
const WRITTEN_ACTIONS = [
  ...new Set([
    ...sources.flatMap((text) =>
      // (helmet's frameguard also has an action: it is no audit event)
      [...text.matchAll(/(?<!frameguard: \{ )\b(?:action|auditAction): '([a-z_.]+)'/g)].map((m) => m[1]!),
    ),
    ...sources.flatMap((text) =>
      [...text.matchAll(/action: why === 'logout' \? '([a-z_.]+)' : '([a-z_.]+)'/g)].flatMap((m) => [m[1]!, m[2]!]),
    ),
    ...ACCOUNT_ACTIONS.map((action) => `account.${action}`),
  ]),
].sort();

/** Every string literal on a line that records a login outcome. */
const WRITTEN_OUTCOMES = [
  ...new Set(
    sources.flatMap((text) =>
      // What follows `outcome:` up to the end of its value: a literal, or the literals a condition chooses between.
      [...text.matchAll(/\boutcome: ([^,}\n]+)/g)].flatMap((m) =>
        [...m[1]!.matchAll(/(?:^|[?:])\s*'([a-z_]+)'/g)].map((q) => q[1]!),
      ),
    ),
  ),
].sort();

t.test('the source search finds the actions and outcomes it should', async (t) => {
  for (const action of ['register', 'login.success', 'logout', 'logout.idle', 'account.approve', 'certificate.rebind'])
    t.ok(WRITTEN_ACTIONS.includes(action), action);
  for (const outcome of ['success', 'wrong_password', 'locked_now', 'unknown_certificate'])
    t.ok(WRITTEN_OUTCOMES.includes(outcome), outcome);
});

t.test('every audit action the portal writes is worded in zh-TW and English', async (t) => {
  for (const action of WRITTEN_ACTIONS) {
    t.not(auditActionLabel(zh, action), action, `zh-TW words ${action}`);
    t.not(auditActionLabel(en, action), action, `English words ${action}`);
  }
  t.equal(auditActionLabel(zh, 'account.approve'), '核准申請');
  t.equal(auditActionLabel(en, 'logout.idle'), 'Logged out when idle');
  t.equal(auditActionLabel(zh, 'made.up'), 'made.up', 'a code without words is shown, not hidden');
});

t.test('every login outcome is worded: the portal own ones for operators, refusals as the user was told', async (t) => {
  const refusals = ['account_pending', 'account_suspended', 'account_rejected'];
  for (const outcome of [...WRITTEN_OUTCOMES, ...refusals, ...CHAIN_REASONS, ...SIGNATURE_REASONS]) {
    t.not(loginOutcomeLabel(zh, outcome), outcome, `zh-TW words ${outcome}`);
    t.not(loginOutcomeLabel(en, outcome), outcome, `English words ${outcome}`);
  }
  t.equal(loginOutcomeLabel(zh, 'wrong_password'), '密碼錯誤');
  t.equal(loginOutcomeLabel(zh, 'revoked'), messages['zh-TW']['signing.reasons.revoked']);
});

t.test('actors and the portal own unbinding reason are worded; a typed reason is kept as typed', async (t) => {
  t.equal(actorDisplay(zh, 'operator:陳承辦'), '承辦人員 陳承辦');
  t.equal(actorDisplay(en, 'admin:張管理'), 'Administrator 張管理');
  t.equal(actorDisplay(zh, 'account:12'), '帳號 12');
  t.equal(actorDisplay(zh, 'system'), '系統');
  t.equal(actorDisplay(zh, 'anonymous'), '未登入者');
  t.equal(actorDisplay(zh, 'robot:x'), 'robot:x');
  t.equal(unboundReasonLabel(zh, 'renewed'), '換發新卡，登入時自動改綁新憑證');
  t.equal(unboundReasonLabel(zh, '卡片遺失'), '卡片遺失');
});

t.test('the audit and account pages show actions in words, with no raw code in the text', async (t) => {
  const ctx = await buildTestApp();
  t.teardown(ctx.close);
  const cast = await createCast(ctx.db.pool);
  const csrf = await csrfTokenFor(ctx.app, cast.cookies.admin);
  const applicant = await createAccount(ctx.db.pool, { category: 'customs_specialist', status: 'pending_review' });
  await postForm(ctx.app, `/admin/accounts/${applicant.id}/approve`, cast.cookies.admin, {
    _csrf: csrf,
    reason: '核對無誤',
  });
  await postForm(ctx.app, `/admin/accounts/${applicant.id}/suspend`, cast.cookies.admin, {
    _csrf: csrf,
    reason: '暫停',
  });
  const visibleText = (html: string) => html.replace(/<[^>]*>/g, ' ');

  for (const lang of ['zh-TW', 'en'] as const) {
    const cookie = `${cast.cookies.admin}; lang=${lang}`;
    const audit = await ctx.app.inject({ url: '/admin/audit', headers: { cookie } });
    const detail = await ctx.app.inject({ url: `/admin/accounts/${applicant.id}`, headers: { cookie } });
    for (const [name, page] of [
      ['audit', audit],
      ['account', detail],
    ] as const) {
      t.equal(page.statusCode, 200);
      t.notMatch(visibleText(page.body), /account\.(approve|suspend)/, `${lang} ${name}: no raw action code`);
      t.notMatch(visibleText(page.body), /\b(operator|admin):/, `${lang} ${name}: no raw actor label`);
      t.match(page.body, /data-action="account\.approve">/, `${lang} ${name}: the code stays as data`);
    }
    const t_ = lang === 'zh-TW' ? zh : en;
    t.match(audit.body, `<td data-action="account.approve">${t_('admin.auditActions.account_approve')}</td>`);
    t.match(audit.body, `<option value="account.suspend">${t_('admin.auditActions.account_suspend')}</option>`);
    t.match(detail.body, `<td data-action="account.suspend">${t_('admin.auditActions.account_suspend')}</td>`);
    t.match(detail.body, `<td>${t_('admin.actors.admin')} 張管理</td>`);
  }
});
