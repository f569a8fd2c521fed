// The operator pages use the whole width: the operator's menu across the top (導盲磚 L on it) instead of the
// citizen's left menu; the actions that take something away from the holder are styled as warnings.
import t from 'tap';
import { buildTestApp } from '../helpers/app';
import { createAccount, createCast } from './fixtures';

const ctx = await buildTestApp();
t.teardown(ctx.close);
const cast = await createCast(ctx.db.pool);
const pending = await createAccount(ctx.db.pool, { category: 'customs_specialist', status: 'pending_review' });
const active = await createAccount(ctx.db.pool, { name: '周啟用' });

const get = (url: string) => ctx.app.inject({ url, headers: { cookie: cast.cookies.operator } });

for (const url of [
  '/admin',
  '/admin/accounts',
  '/admin/audit',
  `/admin/accounts/${pending.id}`,
  `/admin/accounts/${pending.id}/reject`,
]) {
  t.test(`${url} is full width with the operator menu and no citizen menu`, async (t) => {
    const page = await get(url);
    t.equal(page.statusCode, 200);
    t.match(page.body, /<div class="page page--admin">/);
    t.notMatch(page.body, /class="side-menu/, 'no left menu');
    t.match(
      page.body,
      /<nav class="admin-nav" aria-label="承辦人員功能">\s*<a class="guide-tile" accesskey="L" href="#L" id="L"/,
    );
    const keys = [...page.body.matchAll(/accesskey="(\w)"/g)].map((m) => m[1]);
    t.same(keys, ['U', 'L', 'C', 'Z'], 'each region keeps its access key, once');
    t.match(page.body, /<link rel="stylesheet" href="\/public\/css\/admin\.css">/);
  });
}

t.test('a citizen page keeps the left menu', async (t) => {
  const page = await ctx.app.inject({ url: '/' });
  t.match(page.body, /<div class="page">/);
  t.match(page.body, /<nav class="side-menu"/);
  t.notMatch(page.body, /admin-nav/);
});

t.test('reject and suspend are warning buttons; approve is not', async (t) => {
  const review = await get(`/admin/accounts/${pending.id}`);
  t.match(review.body, `<a class="button" href="/admin/accounts/${pending.id}/approve">核准申請</a>`);
  t.match(review.body, `<a class="button button--warning" href="/admin/accounts/${pending.id}/reject">退回申請</a>`);
  const running = await get(`/admin/accounts/${active.id}`);
  t.match(running.body, `<a class="button button--warning" href="/admin/accounts/${active.id}/suspend">停用帳號</a>`);
  const suspendForm = await get(`/admin/accounts/${active.id}/suspend`);
  t.match(suspendForm.body, /<button type="submit" class="button--warning">停用帳號<\/button>/);
  const approveForm = await get(`/admin/accounts/${pending.id}/approve`);
  t.match(approveForm.body, /<button type="submit">核准申請<\/button>/);
});

t.test('an operator page is printed without the operator menu', async (t) => {
  const css = await ctx.app.inject({ url: '/public/css/print.css' });
  t.match(css.body, /\.admin-nav,/);
});
