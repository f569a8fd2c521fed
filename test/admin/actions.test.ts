// Operator actions: each a POST with CSRF and a reason, one transaction with its audit event, 303 with a message;
// illegal transitions and acting on yourself are refused.
import t from 'tap';
import { buildTestApp } from '../helpers/app';
import { accountsRepository } from '../../server/db/accounts-repository';
import { certificatesRepository } from '../../server/db/certificates-repository';
import { sessionsRepository } from '../../server/db/sessions-repository';
import { bindCertificate, cookieFor, createAccount, createCast, csrfTokenFor, lockOut, postForm } from './fixtures';

const ctx = await buildTestApp();
t.teardown(ctx.close);
const pool = ctx.db.pool;
const cast = await createCast(pool);
const operatorCsrf = await csrfTokenFor(ctx.app, cast.cookies.operator);
const adminCsrf = await csrfTokenFor(ctx.app, cast.cookies.admin);

const asOperator = (url: string, reason: string) =>
  postForm(ctx.app, url, cast.cookies.operator, { _csrf: operatorCsrf, reason });
const asAdmin = (url: string, reason: string) =>
  postForm(ctx.app, url, cast.cookies.admin, { _csrf: adminCsrf, reason });

async function eventsFor(accountId: number): Promise<
  Array<{
    action: string;
    actor_label: string;
    actor_account_id: number;
    reason: string;
    details: Record<string, unknown>;
  }>
> {
  const { rows } = await pool.query(
    'SELECT action, actor_label, actor_account_id, reason, details FROM audit_events WHERE subject_account_id = $1 ORDER BY id',
    [accountId],
  );
  return rows;
}

async function statusOf(id: number): Promise<string | undefined> {
  return (await accountsRepository(pool).findById(id))?.status;
}

t.test('an operator approves a pending customs specialist registration with a reason', async (t) => {
  const applicant = await createAccount(pool, {
    category: 'customs_specialist',
    status: 'pending_review',
    name: '李報關',
  });
  const form = await ctx.app.inject({
    url: `/admin/accounts/${applicant.id}/approve`,
    headers: { cookie: cast.cookies.operator },
  });
  t.equal(form.statusCode, 200);
  t.match(form.body, /<textarea id="reason" name="reason"/);
  t.match(form.body, /核准註冊申請（報關專責人員、公司或機關）/);

  const res = await asOperator(`/admin/accounts/${applicant.id}/approve`, '證照文件已核對');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/admin/accounts/${applicant.id}`);
  t.equal(await statusOf(applicant.id), 'active');
  const events = await eventsFor(applicant.id);
  t.equal(events.length, 1);
  t.match(events[0], {
    action: 'account.approve',
    actor_label: 'operator:陳承辦',
    actor_account_id: cast.operator.id,
    reason: '證照文件已核對',
    details: { from: 'pending_review', to: 'active' },
  });

  const detail = await ctx.app.inject({
    url: `/admin/accounts/${applicant.id}`,
    headers: { cookie: cast.cookies.operator },
  });
  t.match(detail.body, /已核准 李報關 的註冊申請。/);
  const again = await ctx.app.inject({
    url: `/admin/accounts/${applicant.id}`,
    headers: { cookie: cast.cookies.operator },
  });
  t.notMatch(again.body, /已核准 李報關 的註冊申請。/, 'the message is shown once');
});

t.test('an operator rejects a pending registration', async (t) => {
  const applicant = await createAccount(pool, { category: 'customs_specialist', status: 'pending_review' });
  const res = await asOperator(`/admin/accounts/${applicant.id}/reject`, '文件不符');
  t.equal(res.statusCode, 303);
  t.equal(await statusOf(applicant.id), 'rejected');
  t.match((await eventsFor(applicant.id))[0], {
    action: 'account.reject',
    reason: '文件不符',
    details: { from: 'pending_review', to: 'rejected' },
  });
});

t.test('suspending an active account ends its sessions', async (t) => {
  const user = await createAccount(pool);
  const userCookie = await cookieFor(pool, user);
  t.equal((await ctx.app.inject({ url: '/', headers: { cookie: userCookie } })).statusCode, 200);
  const res = await asOperator(`/admin/accounts/${user.id}/suspend`, '疑似帳號遭冒用');
  t.equal(res.statusCode, 303);
  t.equal(await statusOf(user.id), 'suspended');
  t.equal(await sessionsRepository(pool).destroyForAccount(user.id), 0, 'no session of the account is left');
  t.match((await eventsFor(user.id))[0], { action: 'account.suspend', details: { from: 'active', to: 'suspended' } });
});

t.test('reactivating a suspended account makes it active again', async (t) => {
  const user = await createAccount(pool, { status: 'suspended' });
  const res = await asOperator(`/admin/accounts/${user.id}/reactivate`, '已確認本人');
  t.equal(res.statusCode, 303);
  t.equal(await statusOf(user.id), 'active');
  t.match((await eventsFor(user.id))[0], {
    action: 'account.reactivate',
    details: { from: 'suspended', to: 'active' },
  });
});

t.test('unlocking clears the failed logins and the lockout', async (t) => {
  const user = await createAccount(pool);
  await lockOut(pool, user.id);
  const detail = await ctx.app.inject({
    url: `/admin/accounts/${user.id}`,
    headers: { cookie: cast.cookies.operator },
  });
  t.match(detail.body, /鎖定至/);
  const res = await asOperator(`/admin/accounts/${user.id}/unlock`, '本人來電確認');
  t.equal(res.statusCode, 303);
  const after = (await accountsRepository(pool).findById(user.id))!;
  t.same(await ctx.app.lockout.stateOf(pool, user.idNumber, new Date()), {
    lockedUntil: null,
    accountLockedUntil: null,
    lockedSources: 0,
    failures: 0,
  });
  t.equal(after.status, 'active');
  t.match((await eventsFor(user.id))[0], {
    action: 'account.unlock',
    details: { failedLogins: 20, accountLocked: true, lockedSources: 0 },
  });
});

t.test('unbinding a certificate keeps it as history with the reason', async (t) => {
  const user = await createAccount(pool, { name: '許憑證' });
  const cert = await bindCertificate(pool, user.id, '許憑證');
  const detail = await ctx.app.inject({
    url: `/admin/accounts/${user.id}`,
    headers: { cookie: cast.cookies.operator },
  });
  t.match(detail.body, /許憑證/);
  t.match(detail.body, /憑證鏈驗證失敗/, 'the revocation state is shown: this fixture certificate does not verify');
  t.match(detail.body, new RegExp(`/admin/accounts/${user.id}/certificates/${cert.id}/unbind`));
  const res = await asOperator(`/admin/accounts/${user.id}/certificates/${cert.id}/unbind`, '卡片遺失');
  t.equal(res.statusCode, 303);
  const after = (await certificatesRepository(pool).findById(cert.id))!;
  t.ok(after.unboundAt);
  t.equal(after.unboundReason, '卡片遺失');
  t.match((await eventsFor(user.id))[0], {
    action: 'certificate.unbind',
    reason: '卡片遺失',
    details: { certificateId: cert.id, fingerprintSha256: cert.fingerprintSha256 },
  });
});

t.test('unbinding a certificate that is already unbound is refused', async (t) => {
  const user = await createAccount(pool);
  const cert = await bindCertificate(pool, user.id);
  await certificatesRepository(pool).unbind(cert.id, 'earlier');
  const res = await asOperator(`/admin/accounts/${user.id}/certificates/${cert.id}/unbind`, '再解除一次');
  t.equal(res.statusCode, 409);
  t.match(res.body, /此憑證已解除綁定/);
  t.same(await eventsFor(user.id), []);
});

t.test('a certificate of another account is not found under this account', async (t) => {
  const user = await createAccount(pool);
  const other = await createAccount(pool);
  const cert = await bindCertificate(pool, other.id);
  const res = await asOperator(`/admin/accounts/${user.id}/certificates/${cert.id}/unbind`, '錯誤的帳號');
  t.equal(res.statusCode, 404);
  t.equal((await certificatesRepository(pool).findById(cert.id))?.unboundAt, null);
});

t.test('the detail page masks the ID number like A12****789', async (t) => {
  const user = await createAccount(pool, { idNumber: 'A123456789', name: '遮罩測試' });
  const res = await ctx.app.inject({ url: `/admin/accounts/${user.id}`, headers: { cookie: cast.cookies.admin } });
  t.match(res.body, /A12\*\*\*\*789/);
  t.notOk(res.body.includes('A123456789'));
});

t.test('an admin sees the full ID number after giving a reason, and the viewing is audited', async (t) => {
  const user = await createAccount(pool, { idNumber: 'B223456780', name: '完整號碼' });
  const detail = await ctx.app.inject({ url: `/admin/accounts/${user.id}`, headers: { cookie: cast.cookies.admin } });
  t.match(detail.body, /顯示完整身分證號/);
  const res = await asAdmin(`/admin/accounts/${user.id}/full-id`, '民眾來電查詢需核對');
  t.equal(res.statusCode, 200);
  t.ok(res.body.includes('B223456780'));
  t.equal(res.headers['cache-control'], 'no-store');
  t.match((await eventsFor(user.id))[0], {
    action: 'account.view_full_id',
    actor_label: 'admin:張管理',
    reason: '民眾來電查詢需核對',
  });
  const later = await ctx.app.inject({ url: `/admin/accounts/${user.id}`, headers: { cookie: cast.cookies.admin } });
  t.notOk(later.body.includes('B223456780'), 'the next view is masked again');
});

t.test('an operator is not offered the full ID number', async (t) => {
  const user = await createAccount(pool);
  const detail = await ctx.app.inject({
    url: `/admin/accounts/${user.id}`,
    headers: { cookie: cast.cookies.operator },
  });
  t.notMatch(detail.body, /full-id/);
});

t.test('approving an active account is refused with a clear message', async (t) => {
  const user = await createAccount(pool, { status: 'active' });
  const page = await ctx.app.inject({
    url: `/admin/accounts/${user.id}/approve`,
    headers: { cookie: cast.cookies.operator },
  });
  t.equal(page.statusCode, 409);
  const res = await asOperator(`/admin/accounts/${user.id}/approve`, '再核准一次');
  t.equal(res.statusCode, 409);
  t.match(res.body, /此帳號目前狀態為「已啟用」，不是待審核的申請，無法核准或退回。/);
  t.same(await eventsFor(user.id), []);
});

t.test('rejecting an account that is not pending is refused', async (t) => {
  const user = await createAccount(pool, { status: 'suspended' });
  const res = await asOperator(`/admin/accounts/${user.id}/reject`, '退回');
  t.equal(res.statusCode, 409);
  t.equal(await statusOf(user.id), 'suspended');
});

t.test('suspending an account that is not active is refused', async (t) => {
  const user = await createAccount(pool, { category: 'customs_specialist', status: 'pending_review' });
  const res = await asOperator(`/admin/accounts/${user.id}/suspend`, '停用');
  t.equal(res.statusCode, 409);
  t.match(res.body, /只有已啟用的帳號可以停用/);
  t.equal(await statusOf(user.id), 'pending_review');
});

t.test('reactivating an account that is not suspended is refused', async (t) => {
  const user = await createAccount(pool, { status: 'rejected' });
  const res = await asOperator(`/admin/accounts/${user.id}/reactivate`, '恢復');
  t.equal(res.statusCode, 409);
  t.equal(await statusOf(user.id), 'rejected');
});

t.test('unlocking an account that is not locked is refused', async (t) => {
  const user = await createAccount(pool);
  const res = await asOperator(`/admin/accounts/${user.id}/unlock`, '解鎖');
  t.equal(res.statusCode, 409);
  t.match(res.body, /沒有登入鎖定/);
  t.same(await eventsFor(user.id), []);
});

t.test('an operator acting on their own account is refused', async (t) => {
  const res = await asOperator(`/admin/accounts/${cast.operator.id}/suspend`, '停用自己');
  t.equal(res.statusCode, 409);
  t.match(res.body, /不能對自己的帳號執行處理/);
  t.equal(await statusOf(cast.operator.id), 'active');
  const detail = await ctx.app.inject({
    url: `/admin/accounts/${cast.operator.id}`,
    headers: { cookie: cast.cookies.operator },
  });
  t.notMatch(detail.body, /\/suspend"/, 'no action is offered on your own account');
});

t.test('an admin acting on their own account is refused', async (t) => {
  await lockOut(pool, cast.admin.id);
  const res = await asAdmin(`/admin/accounts/${cast.admin.id}/unlock`, '自己解鎖');
  t.equal(res.statusCode, 409);
  t.ok((await ctx.app.lockout.stateOf(pool, cast.admin.idNumber, new Date())).lockedUntil, 'still locked');
  await ctx.app.lockout.unlock(pool, cast.admin.idNumber, new Date());
});

t.test('an operator acting on an admin account is refused', async (t) => {
  const otherAdmin = await createAccount(pool, { role: 'admin', name: '另一位管理者' });
  const res = await asOperator(`/admin/accounts/${otherAdmin.id}/suspend`, '停用管理者');
  t.equal(res.statusCode, 409);
  t.match(res.body, /只能由系統管理者處理/);
  t.equal(await statusOf(otherAdmin.id), 'active');
});

t.test('an admin may suspend an operator account', async (t) => {
  const operator = await createAccount(pool, { role: 'operator', name: '離職承辦' });
  const res = await asAdmin(`/admin/accounts/${operator.id}/suspend`, '人員離職');
  t.equal(res.statusCode, 303);
  t.equal(await statusOf(operator.id), 'suspended');
});

t.test('an action without a reason is shown again with the error in the summary and at the field', async (t) => {
  const user = await createAccount(pool);
  const res = await asOperator(`/admin/accounts/${user.id}/suspend`, '   ');
  t.equal(res.statusCode, 400);
  t.match(res.body, /<div class="error-summary"[\s\S]*<a href="#reason">請輸入理由<\/a>/);
  t.match(res.body, /<p class="field-error" id="reason-error">[\s\S]*請輸入理由<\/p>/);
  t.match(res.body, /aria-invalid="true"/);
  t.match(res.body, /<title>錯誤：/);
  t.equal(await statusOf(user.id), 'active');
  t.same(await eventsFor(user.id), []);
});

t.test('a reason over 500 characters is refused and kept in the field', async (t) => {
  const user = await createAccount(pool);
  const long = '理'.repeat(501);
  const res = await asOperator(`/admin/accounts/${user.id}/suspend`, long);
  t.equal(res.statusCode, 400);
  t.match(res.body, /理由最多 500 字/);
  t.ok(res.body.includes(`>${long}</textarea>`));
  t.equal(await statusOf(user.id), 'active');
});

t.test('a reason of exactly 500 characters is accepted', async (t) => {
  const user = await createAccount(pool);
  const res = await asOperator(`/admin/accounts/${user.id}/suspend`, '理'.repeat(500));
  t.equal(res.statusCode, 303);
});

t.test('a reason is escaped when shown again', async (t) => {
  const user = await createAccount(pool);
  const res = await asOperator(`/admin/accounts/${user.id}/suspend`, `<script>alert(1)</script>${'x'.repeat(500)}`);
  t.equal(res.statusCode, 400);
  t.notOk(res.body.includes('<script>alert(1)</script>'));
  t.ok(res.body.includes('&lt;script&gt;'));
});

t.test('two operators approving the same registration at once make one change and one refusal', async (t) => {
  const applicant = await createAccount(pool, { category: 'customs_specialist', status: 'pending_review' });
  const [a, b] = await Promise.all([
    asOperator(`/admin/accounts/${applicant.id}/approve`, '第一位'),
    asAdmin(`/admin/accounts/${applicant.id}/approve`, '第二位'),
  ]);
  t.same([a.statusCode, b.statusCode].sort(), [303, 409]);
  t.equal((await eventsFor(applicant.id)).length, 1);
});

t.test('an unknown account is a 404 page', async (t) => {
  t.equal(
    (await ctx.app.inject({ url: '/admin/accounts/999999', headers: { cookie: cast.cookies.operator } })).statusCode,
    404,
  );
  t.equal(
    (await ctx.app.inject({ url: '/admin/accounts/abc', headers: { cookie: cast.cookies.operator } })).statusCode,
    404,
  );
  t.equal((await asOperator('/admin/accounts/999999/suspend', '不存在')).statusCode, 404);
});

t.test('the detail page shows login history and the account audit trail', async (t) => {
  const user = await createAccount(pool, { status: 'suspended' });
  await pool.query(
    "INSERT INTO login_attempts (account_id, method, success, outcome, ip) VALUES ($1, 'password', false, 'wrong_password', '192.0.2.7')",
    [user.id],
  );
  await asOperator(`/admin/accounts/${user.id}/reactivate`, '申訴成立');
  const res = await ctx.app.inject({ url: `/admin/accounts/${user.id}`, headers: { cookie: cast.cookies.operator } });
  t.match(res.body, /192\.0\.2\.7/);
  t.match(res.body, /wrong_password/);
  t.match(res.body, /account\.reactivate/);
  t.match(res.body, /申訴成立/);
});

t.test('the action pages and refusals are in English when English is chosen', async (t) => {
  const user = await createAccount(pool, { status: 'active' });
  const res = await ctx.app.inject({
    url: `/admin/accounts/${user.id}/approve`,
    headers: { cookie: `${cast.cookies.operator}; lang=en` },
  });
  t.equal(res.statusCode, 409);
  t.match(res.body, /not a pending registration/);
});
