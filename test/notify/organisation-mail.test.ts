// A company's registration gets what a citizen's does: a 申請編號 and time on 註冊完成 and its printable page, and the
// registration's e-mail through a real SMTP server on loopback, worded for any applicant type.
import t from 'tap';
import { Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard, type SignedToken } from '../helpers/demo-cards';
import { buildRegisterApp } from '../register/helpers';
import { startMailCatcher } from '../helpers/mail-catcher';
import { parseReference } from '../../server/registration/reference';
import { formatTaiwanTime } from '../../server/taiwan-time';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const pki = demo.pki;
const catcher = await startMailCatcher();
t.teardown(catcher.close);
const ctx = await buildRegisterApp(demoCardVerifier(pki), { SMTP_URL: catcher.url });
t.teardown(ctx.close);

function callback(token: SignedToken) {
  return ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    remoteAddress: '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...token, lang: 'zh-TW' }).toString(),
  });
}

t.test('a 報關業 registration: reference, time, 列印 and the received mail with its type', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/organisation/certificate?category=customs_broker');
  const { tbs, nonce } = challengeFrom(page.body);
  const back = await callback(signWithCard(pki, 'taiguan-broker', tbs, nonce));
  const completed = await client.get(back.headers.location as string);
  const details = await client.get(completed.headers.location as string);
  const next = await client.post('/register/organisation?category=customs_broker', {
    _csrf: csrfFrom(details.body),
    organisationName: '台關報關股份有限公司',
    representative: '林大海',
    contactName: '陳小芬',
    phone: '(02)2345-6789',
    mobile: '',
    address: '臺北市中正區忠孝西路一段 1 號',
    licenceNumber: '北關登字第 1234 號',
    password: 'Harbour2Light',
    passwordConfirm: 'Harbour2Light',
    email1: 'customs@example.com.tw',
    email2: '',
    consent: 'yes',
  });
  t.equal(next.statusCode, 303);
  const confirm = await client.get(next.headers.location as string);
  const posted = await client.post('/register/organisation/confirm?category=customs_broker', {
    _csrf: csrfFrom(confirm.body),
  });
  t.equal(posted.headers.location, '/register/organisation/done');
  const done = await client.get('/register/organisation/done');

  const { rows } = await ctx.db.pool.query(
    `SELECT a.reference, a.created_at FROM accounts a JOIN organisation_accounts o ON o.account_id = a.id
     WHERE o.organisation_id = '23456786'`,
  );
  const reference = rows[0].reference as string;
  t.equal(parseReference(reference), reference);
  t.match(done.body, `id="reference">${reference}</dd>`);
  t.match(done.body, `<dd id="submitted-at">${formatTaiwanTime(rows[0].created_at)}（臺灣時間）</dd>`);
  t.match(done.body, /審核結果將以 Email 通知。申請受理通知信及審核結果都會寄到 customs@example\.com\.tw。/);
  t.match(done.body, /href="\/register\/organisation\/done\/print" data-print>列印/);
  const print = await client.get('/register/organisation/done/print');
  t.equal(print.statusCode, 200);
  t.match(print.body, `id="reference">${reference}</dd>`);
  t.match(print.body, /台關報關股份有限公司/);
  t.match(print.body, /<a href="\/register\/organisation\/done">回註冊完成頁<\/a>/);
  t.notMatch(print.body, /side-menu/);

  await ctx.app.notifier.idle();
  const [mail] = await catcher.waitFor(1);
  t.same(mail.envelope.to, ['customs@example.com.tw']);
  t.equal(mail.parsed.subject, `【關港貿單一窗口】註冊申請已受理（申請編號 ${reference}）`);
  const text = mail.parsed.text ?? '';
  t.match(text, '台關報關股份有限公司 您好：');
  t.match(text, '「報關業」的帳號須經承辦人員審核，審核結果將以 Email 通知您');
  t.match(text, '申請類別：報關業');
  t.notMatch(text, /自然人憑證/, 'nothing that holds only for a citizen');
});
