// The registration's e-mail through a real SMTP path: the portal (nodemailer) sends to a mail catcher on loopback
// (smtp-server) after the registration's commit; the message is read as a mail program would (mailparser). Also the
// 申請編號 and time on 註冊完成, and its printable page.
import t from 'tap';
import { Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';
import { buildRegisterApp, detailsFor } from '../register/helpers';
import { startMailCatcher } from '../helpers/mail-catcher';
import { parseReference } from '../../server/registration/reference';
import { formatTaiwanTime } from '../../server/taiwan-time';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const pki = demo.pki;
const catcher = await startMailCatcher();
t.teardown(catcher.close);
const FROM = '關港貿單一窗口 <no-reply@portal.example.tw>';
const ctx = await buildRegisterApp(demoCardVerifier(pki), { SMTP_URL: catcher.url, MAIL_FROM: FROM });
t.teardown(ctx.close);

/** The JavaScript path's one POST: details and a signature over the page's challenge. */
async function registerWithJs(client: Browser, cardId: string, overrides: Record<string, string> = {}) {
  const card = pki.card(cardId);
  const page = await client.get(`/register/citizen?category=${overrides.category ?? 'individual'}`);
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await client.post('/register/citizen', {
    _csrf: csrfFrom(page.body),
    ...detailsFor(card, overrides),
    ...signWithCard(pki, cardId, tbs, nonce),
  });
  if (res.statusCode !== 303) throw new Error(`registration refused: ${res.statusCode}`);
  return client.get('/register/citizen/done');
}

async function accountRow(idNumber: string) {
  const { rows } = await ctx.db.pool.query(
    'SELECT id, reference, lang, created_at, status FROM accounts WHERE id_number = $1',
    [idNumber],
  );
  return rows[0];
}

async function notificationsOf(accountId: number) {
  const { rows } = await ctx.db.pool.query(
    'SELECT kind, status, attempts, message_id, last_error, sent_at FROM notifications WHERE account_id = $1 ORDER BY id',
    [accountId],
  );
  return rows;
}

t.test('a 個人 registration gives a reference and time on 註冊完成 and a zh-TW mail with them', async (t) => {
  const wang = pki.card('wang-xiaoming');
  const client = new Browser(ctx.app, uniqueAddress());
  const done = await registerWithJs(client, 'wang-xiaoming');
  t.equal(done.statusCode, 200);

  const account = await accountRow(wang.idNumber);
  t.match(account.reference, /^\d{8}-[0-9A-Z]{4}-[0-9A-Z]{3}$/, 'date, six random characters and a check character');
  t.equal(parseReference(account.reference), account.reference, 'its check character is right');
  t.equal(account.lang, 'zh-TW');
  t.match(done.body, new RegExp(`<dd class="mono reference" id="reference">${account.reference}</dd>`));
  t.match(
    done.body,
    `<dd id="submitted-at">${formatTaiwanTime(account.created_at)}（臺灣時間）</dd>`,
    'the time of application in Taiwan time',
  );
  t.match(done.body, /註冊完成通知信將寄到 applicant@example\.com\.tw。/);
  t.match(
    done.body,
    /<a class="button button--secondary" id="print-receipt" href="\/register\/citizen\/done\/print" data-print>列印<\/a>/,
  );

  await ctx.app.notifier.idle();
  const [mail] = await catcher.waitFor(1);
  t.equal(catcher.mails.length, 1, 'one mail');
  t.same(mail.envelope.to, ['applicant@example.com.tw']);
  t.equal(mail.envelope.from, 'no-reply@portal.example.tw');
  t.same(mail.parsed.from?.value, [{ name: '關港貿單一窗口', address: 'no-reply@portal.example.tw' }]);
  t.equal(mail.parsed.subject, `【關港貿單一窗口】帳號註冊完成（申請編號 ${account.reference}）`);
  t.equal(mail.parsed.headers.get('content-language'), 'zh-TW');
  t.match(mail.raw, /^Content-Type: text\/plain; charset=utf-8/im, 'plain text in UTF-8');
  const text = mail.parsed.text ?? '';
  t.match(text, /^王小明 您好：/);
  t.match(text, `申請編號：${account.reference}`);
  t.match(text, `申請時間：${formatTaiwanTime(account.created_at)}（臺灣時間）`);
  t.match(text, '申請類別：個人');
  t.match(text, '帳號狀態：已啟用');
  t.match(text, `登入網址：${ctx.config.publicOrigin}/login`);
  t.match(text, '若您並未申請，請立即與客服聯絡。');
  t.match(text, `客服電話：${ctx.config.support.phone}`);
  t.notMatch(text, /English/, 'no English part for a zh-TW registration');
  t.notMatch(mail.raw, /A123456789|A12\*+789/, 'no ID number, not even masked');
  t.notMatch(mail.raw, /Harbour2Light/, 'no password');

  const [notification] = await notificationsOf(account.id);
  t.equal(notification.kind, 'registration_received');
  t.equal(notification.status, 'sent');
  t.equal(notification.attempts, 1);
  t.equal(notification.message_id, mail.parsed.messageId, 'the Message-ID the relay got is recorded');
  t.ok(notification.sent_at);
});

t.test('a registration in English waits for review: the mail is zh-TW then English, to both addresses', async (t) => {
  catcher.mails.length = 0;
  const chen = pki.card('chen-zhiming');
  const client = new Browser(ctx.app, uniqueAddress());
  client.cookies.set('lang', 'en');
  const done = await registerWithJs(client, 'chen-zhiming', {
    category: 'customs_specialist',
    email2: 'second@example.com.tw',
  });
  const account = await accountRow(chen.idNumber);
  t.equal(account.status, 'pending_review');
  t.equal(account.lang, 'en', 'the language of the page at 送出 is kept for later mails');
  t.match(done.body, /Reference number/);
  t.match(done.body, account.reference);
  t.match(done.body, /The result of the review will be sent to you by e-mail\./);
  t.match(done.body, /\(Taiwan time\)/);

  await ctx.app.notifier.idle();
  const [mail] = await catcher.waitFor(1);
  t.same(mail.envelope.to, ['applicant@example.com.tw', 'second@example.com.tw']);
  t.equal(
    mail.parsed.subject,
    `【關港貿單一窗口】註冊申請已受理 / Single Window: application received（申請編號 ${account.reference}）`,
  );
  t.equal(mail.parsed.headers.get('content-language'), 'zh-TW, en');
  const text = mail.parsed.text ?? '';
  const [zh, en] = text.split('-------- English --------');
  t.ok(en, 'an English part after the Chinese one');
  t.match(zh, '審核結果將以 Email 通知您');
  t.match(zh, '申請類別：報關專責人員');
  t.match(zh, '帳號狀態：審核中');
  t.notMatch(zh, /登入網址/, 'no login link before the approval');
  t.match(en, /^\s*Dear 陳志明,/);
  t.match(en, `Reference number: ${account.reference}`);
  t.match(en, 'Applicant type: Customs specialist');
  t.match(en, 'Account status: Awaiting review');
  t.match(en, 'the result will be sent to you by e-mail');
  t.match(en, 'Applied at: ');
});

t.test('the printable page shows the same receipt without the menu, and needs a registration', async (t) => {
  const lin = pki.card('lin-meihua');
  const client = new Browser(ctx.app, uniqueAddress());
  await registerWithJs(client, 'lin-meihua');
  const account = await accountRow(lin.idNumber);
  const print = await client.get('/register/citizen/done/print');
  t.equal(print.statusCode, 200);
  t.match(print.body, '<title>註冊完成（列印用） - 關港貿單一窗口</title>');
  t.match(print.body, `id="reference">${account.reference}</dd>`);
  t.match(print.body, /林美華/);
  t.match(print.body, /F22\*\*\*\*786/);
  t.notMatch(print.body, /F223456786/, 'the ID number masked');
  t.notMatch(print.body, /side-menu/, 'no menu');
  t.match(print.body, /<link rel="stylesheet" href="\/public\/css\/print\.css" media="print">/);
  t.match(print.body, /請使用瀏覽器的「列印」功能（Ctrl\+P）列印本頁/);
  t.equal(print.headers['cache-control'], 'no-store');

  const stranger = await new Browser(ctx.app, uniqueAddress()).get('/register/citizen/done/print');
  t.equal(stranger.statusCode, 303);
  t.equal(stranger.headers.location, '/register');
  await ctx.app.notifier.idle();
});

t.test('a second 送出 shows the first receipt again and sends no second mail', async (t) => {
  catcher.mails.length = 0;
  const huang = pki.card('huang-zhihao');
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  const form = {
    _csrf: csrfFrom(page.body),
    ...detailsFor(huang),
    ...signWithCard(pki, 'huang-zhihao', tbs, nonce),
  };
  t.equal((await client.post('/register/citizen', form)).statusCode, 303);
  const first = await client.get('/register/citizen/done');
  t.equal((await client.post('/register/citizen', form)).statusCode, 303);
  const second = await client.get('/register/citizen/done');
  const account = await accountRow(huang.idNumber);
  t.match(first.body, account.reference);
  t.match(second.body, account.reference, 'the same reference');
  await ctx.app.notifier.idle();
  t.equal((await notificationsOf(account.id)).length, 1, 'one mail queued');
  await catcher.waitFor(1);
  t.equal(catcher.mails.length, 1, 'one mail sent');
});
