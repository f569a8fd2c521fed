// The operator's decisions by e-mail, through a real SMTP server on loopback: approval, rejection with the reason,
// suspension (its reason stays in the audit trail); reactivation and unlocking send nothing. The operator's pages say
// who is told and show each mail's delivery.
import t from 'tap';
import { buildTestApp } from '../helpers/app';
import { startMailCatcher } from '../helpers/mail-catcher';
import { createAccount, createCast, csrfTokenFor, lockOut, postForm } from '../admin/fixtures';
import { newReference } from '../../server/registration/reference';

const catcher = await startMailCatcher();
t.teardown(catcher.close);
const ctx = await buildTestApp({ SMTP_URL: catcher.url, MAIL_FROM: 'no-reply@portal.example.tw' });
t.teardown(ctx.close);
const pool = ctx.db.pool;
const cast = await createCast(pool);
const csrf = await csrfTokenFor(ctx.app, cast.cookies.operator);
const act = (accountId: number, action: string, reason: string) =>
  postForm(ctx.app, `/admin/accounts/${accountId}/${action}`, cast.cookies.operator, { _csrf: csrf, reason });

async function applicant(overrides: Parameters<typeof createAccount>[1] = {}) {
  return createAccount(pool, {
    category: 'customs_specialist',
    status: 'pending_review',
    name: '李報關',
    email1: 'lee@example.com.tw',
    email2: 'lee.office@example.com.tw',
    reference: newReference(new Date()),
    ...overrides,
  });
}

/** The mail that arrives next. */
async function nextMail() {
  const before = catcher.mails.length;
  await ctx.app.notifier.idle();
  const mails = await catcher.waitFor(before + 1);
  return mails[before];
}

async function mailsOf(accountId: number) {
  const { rows } = await pool.query(
    'SELECT kind, status, reason FROM notifications WHERE account_id = $1 ORDER BY id',
    [accountId],
  );
  return rows;
}

t.test('approving tells the applicant, in zh-TW, at both addresses, with the reference and a login link', async (t) => {
  const account = await applicant();
  const form = await ctx.app.inject({
    url: `/admin/accounts/${account.id}/approve`,
    headers: { cookie: cast.cookies.operator },
  });
  t.match(form.body, /<p class="hint" id="mail-note">處理完成後，系統會以 Email 通知申請人/);
  t.match(form.body, /必填，最多 500 字，會記錄於稽核紀錄。/, 'an approval reason stays in the audit trail');
  t.match(form.body, /<button type="submit">核准申請<\/button>/, 'an approval is not styled as a warning');

  const res = await act(account.id, 'approve', '專責人員證照已核對');
  t.equal(res.statusCode, 303);
  const mail = await nextMail();
  t.same(mail.envelope.to, ['lee@example.com.tw', 'lee.office@example.com.tw']);
  t.equal(mail.parsed.subject, `【關港貿單一窗口】帳號申請已核准（申請編號 ${account.reference}）`);
  const text = mail.parsed.text ?? '';
  t.match(text, '李報關 您好：');
  t.match(text, '您的關港貿單一窗口帳號申請已審核通過，帳號已啟用。');
  t.match(text, `申請編號：${account.reference}`);
  t.match(text, /處理時間：\d{4}-\d{2}-\d{2} \d{2}:\d{2}（臺灣時間）/);
  t.match(text, `登入網址：${ctx.config.publicOrigin}/login`);
  t.notMatch(text, '專責人員證照已核對', "an approval's reason is not mailed");
  t.same(await mailsOf(account.id), [{ kind: 'account_approved', status: 'sent', reason: null }]);
});

t.test('rejecting quotes the reason, in zh-TW and in English for an applicant who registered in English', async (t) => {
  const account = await applicant({ lang: 'en', name: '王外語' });
  const form = await ctx.app.inject({
    url: `/admin/accounts/${account.id}/reject`,
    headers: { cookie: cast.cookies.operator },
  });
  t.match(form.body, /並寫在寄給申請人的退件通知信中/, 'the operator is told the reason is mailed');
  t.match(form.body, /<button type="submit" class="button--warning">退回申請<\/button>/);

  const reason = '專責人員證照影本不清楚，請補件';
  t.equal((await act(account.id, 'reject', reason)).statusCode, 303);
  const mail = await nextMail();
  t.equal(
    mail.parsed.subject,
    `【關港貿單一窗口】帳號申請未獲核准 / Single Window: application not approved（申請編號 ${account.reference}）`,
  );
  t.equal(mail.parsed.headers.get('content-language'), 'zh-TW, en');
  const [zh, en] = (mail.parsed.text ?? '').split('-------- English --------');
  t.match(zh, `原因：${reason}`);
  t.match(zh, '如需重新申請，請先與客服聯絡。');
  t.notMatch(zh, /登入網址/);
  t.match(en, `Reason: ${reason}`);
  t.match(en, 'was reviewed by an officer and not approved');
  t.same(await mailsOf(account.id), [{ kind: 'account_rejected', status: 'sent', reason }]);
});

t.test(
  'suspending tells the holder without the internal reason; reactivating and unlocking send nothing',
  async (t) => {
    const account = await createAccount(pool, { name: '周停用', email1: 'chou@example.com.tw', lang: 'zh-TW' });
    const form = await ctx.app.inject({
      url: `/admin/accounts/${account.id}/suspend`,
      headers: { cookie: cast.cookies.operator },
    });
    t.match(form.body, /<button type="submit" class="button--warning">停用帳號<\/button>/);
    const reason = '疑似冒用，待本人確認';
    t.equal((await act(account.id, 'suspend', reason)).statusCode, 303);
    const mail = await nextMail();
    t.same(mail.envelope.to, ['chou@example.com.tw']);
    t.equal(mail.parsed.subject, '【關港貿單一窗口】帳號已停用', 'no reference: an account made without one');
    const text = mail.parsed.text ?? '';
    t.match(text, '您的關港貿單一窗口帳號已停用，停用期間無法登入。');
    t.notMatch(text, reason, 'the reason stays in the audit trail');
    t.notMatch(text, /申請編號/);

    const sent = catcher.mails.length;
    t.equal((await act(account.id, 'reactivate', '本人已確認')).statusCode, 303);
    await lockOut(pool, account.id);
    t.equal((await act(account.id, 'unlock', '本人來電')).statusCode, 303);
    await ctx.app.notifier.idle();
    t.equal(catcher.mails.length, sent, 'no mail for reactivating or unlocking');
    t.same(
      (await mailsOf(account.id)).map((m) => m.kind),
      ['account_suspended'],
    );
  },
);

t.test('the account page shows the reference, the mail language and each mail with its delivery', async (t) => {
  const account = await applicant({ lang: 'en' });
  await act(account.id, 'approve', '核對無誤');
  await ctx.app.notifier.idle();
  const page = await ctx.app.inject({
    url: `/admin/accounts/${account.id}`,
    headers: { cookie: cast.cookies.operator },
  });
  t.match(page.body, `<dd class="mono" id="reference">${account.reference}</dd>`);
  t.match(page.body, /<dt>通知信語言<\/dt><dd>中文及英文<\/dd>/);
  t.match(page.body, /<tr data-mail-id="\d+" data-status="sent"><td>[^<]+<\/td><td>核准通知<\/td>/);
  t.match(page.body, /<span class="mail-status mail-status--sent">已寄出<\/span>/);

  const found = await ctx.app.inject({
    url: `/admin/accounts?q=${encodeURIComponent(account.reference!.toLowerCase().replace(/-/g, ' '))}`,
    headers: { cookie: cast.cookies.operator },
  });
  t.match(found.body, `data-account-id="${account.id}"`, 'the list finds an account by its reference as typed');
  t.equal([...found.body.matchAll(/data-account-id=/g)].length, 1, 'and only that one');
});
