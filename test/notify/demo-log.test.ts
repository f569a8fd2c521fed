// Demo mode without SMTP_URL: each mail is written to the log, marked as not sent, and the operator sees why; the
// registration is not held up by it.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../server/config';
import { buildApp, loggerOptions } from '../../server/app';
import { createTestDatabase } from '../helpers/db';
import { TEST_SESSION_SECRET } from '../helpers/session';
import { Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';
import { detailsFor } from '../register/helpers';
import { createCast } from '../admin/fixtures';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const pki = demo.pki;
const db = await createTestDatabase();
t.teardown(db.close);
const lines: string[] = [];
const config = loadConfig({ DATA_DIR: `/tmp/sw-portal-test-${db.schema}`, START_SIGNER: 'false' });
const app: FastifyInstance = await buildApp({
  config,
  pool: db.pool,
  sessionSecret: TEST_SESSION_SECRET,
  cardVerifier: demoCardVerifier(pki),
  logger: { ...(loggerOptions('info') as object), stream: { write: (line: string) => void lines.push(line) } } as never,
});
await app.ready();
t.teardown(() => app.close());

t.test('without a mail relay the registration completes and its mail is logged as not sent', async (t) => {
  t.equal(config.mode, 'demo');
  t.equal(config.mail.smtpUrl, undefined);
  const wang = pki.card('wang-xiaoming');
  const client = new Browser(app, uniqueAddress());
  const page = await client.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await client.post('/register/citizen', {
    _csrf: csrfFrom(page.body),
    ...detailsFor(wang),
    ...signWithCard(pki, 'wang-xiaoming', tbs, nonce),
  });
  t.equal(res.statusCode, 303);
  t.equal((await client.get('/register/citizen/done')).statusCode, 200);
  await app.notifier.idle();

  const { rows } = await db.pool.query(
    `SELECT a.id, a.reference, n.status, n.attempts FROM accounts a JOIN notifications n ON n.account_id = a.id
     WHERE a.id_number = $1`,
    [wang.idNumber],
  );
  t.equal(rows[0].status, 'not_sent');
  const logged = lines
    .map((line) => JSON.parse(line))
    .find((entry) => entry.msg === 'mail not sent: SMTP_URL is not set');
  t.ok(logged, 'one log line says the mail was not sent');
  t.same(logged.mail.to, ['applicant@example.com.tw']);
  t.equal(logged.mail.subject, `【關港貿單一窗口】帳號註冊完成（申請編號 ${rows[0].reference}）`);
  t.match(logged.mail.text, `申請編號：${rows[0].reference}`, 'the whole text, for a developer to read');
  t.notMatch(JSON.stringify(logged), /A123456789/, 'no ID number in the log');

  const cast = await createCast(db.pool);
  const detail = await app.inject({ url: `/admin/accounts/${rows[0].id}`, headers: { cookie: cast.cookies.operator } });
  t.match(detail.body, /未寄出：未設定郵件伺服器（僅寫入系統日誌）/);

  t.equal(await app.notifier.retryDue(), 0, 'a mail that was not sent for want of a relay is not tried again');
});
