// A mail relay that is down, refuses, or never answers does not hold up or undo a registration: the account is made,
// 註冊完成 is shown, the mail is recorded as failed (the operator sees it) and tried again later, up to three times.
import t from 'tap';
import { createServer, type Server, type Socket } from 'node:net';
import { Browser, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';
import { buildRegisterApp, detailsFor } from '../register/helpers';
import { startMailCatcher } from '../helpers/mail-catcher';
import { createCast } from '../admin/fixtures';
import type { TestApp } from '../helpers/app';
import { DUE_POLICY } from '../../server/notify/notifier';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const pki = demo.pki;

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function registerWithJs(ctx: TestApp, cardId: string) {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  const res = await client.post('/register/citizen', {
    _csrf: csrfFrom(page.body),
    ...detailsFor(pki.card(cardId)),
    ...signWithCard(pki, cardId, tbs, nonce),
  });
  return { res, done: res.statusCode === 303 ? await client.get('/register/citizen/done') : undefined };
}

async function mailOf(ctx: TestApp, idNumber: string) {
  const { rows } = await ctx.db.pool.query(
    `SELECT n.id, n.status, n.attempts, n.last_error, a.id AS account_id FROM notifications n
     JOIN accounts a ON a.id = n.account_id WHERE a.id_number = $1`,
    [idNumber],
  );
  return rows[0];
}

t.test('with the relay down the registration completes and the mail is recorded as failed', async (t) => {
  const ctx = await buildRegisterApp(demoCardVerifier(pki), { SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` });
  t.teardown(ctx.close);
  const wang = pki.card('wang-xiaoming');
  const { res, done } = await registerWithJs(ctx, 'wang-xiaoming');
  t.equal(res.statusCode, 303);
  t.equal(done?.statusCode, 200);
  t.match(done?.body, /註冊完成/);
  await ctx.app.notifier.idle();
  const mail = await mailOf(ctx, wang.idNumber);
  t.equal(mail.status, 'failed');
  t.equal(mail.attempts, 1);
  t.match(mail.last_error, /ECONNREFUSED/);

  // The operator page says so, in words, with the relay's error.
  const cast = await createCast(ctx.db.pool);
  const page = await ctx.app.inject({
    url: `/admin/accounts/${mail.account_id}`,
    headers: { cookie: cast.cookies.operator },
  });
  t.match(page.body, new RegExp(`<tr data-mail-id="${mail.id}" data-status="failed">`));
  t.match(page.body, /註冊受理通知/);
  t.match(page.body, /寄送失敗/);
  t.match(page.body, /已嘗試 1 次/);
  t.match(page.body, /ECONNREFUSED/);
});

t.test('a relay that refuses for a while: the mail is tried again after 5 minutes, then sent', async (t) => {
  const catcher = await startMailCatcher();
  t.teardown(catcher.close);
  const clock = movableClock();
  const ctx = await buildRegisterApp(demoCardVerifier(pki), { SMTP_URL: catcher.url }, clock.now);
  t.teardown(ctx.close);
  const lin = pki.card('lin-meihua');
  catcher.refuseNext(1);
  const { res } = await registerWithJs(ctx, 'lin-meihua');
  t.equal(res.statusCode, 303, 'registered although the relay refused');
  await ctx.app.notifier.idle();
  let mail = await mailOf(ctx, lin.idNumber);
  t.equal(mail.status, 'failed');
  t.match(mail.last_error, /451/);

  clock.advance(DUE_POLICY.retryDelayMs - 1000);
  t.equal(await ctx.app.notifier.retryDue(), 0, 'not before its wait is over');
  clock.advance(2000);
  t.equal(await ctx.app.notifier.retryDue(), 1, 'tried again once the wait is over');
  mail = await mailOf(ctx, lin.idNumber);
  t.equal(mail.status, 'sent');
  t.equal(mail.attempts, 2);
  t.equal(catcher.mails.length, 1);
  t.match(catcher.mails[0].parsed.subject, /帳號註冊完成/);
  t.equal(await ctx.app.notifier.retryDue(), 0, 'a sent mail is not sent again');
});

t.test('after three refusals the mail is given up, and the operator is told to reach the applicant', async (t) => {
  const catcher = await startMailCatcher();
  t.teardown(catcher.close);
  const clock = movableClock();
  const ctx = await buildRegisterApp(demoCardVerifier(pki), { SMTP_URL: catcher.url }, clock.now);
  t.teardown(ctx.close);
  const huang = pki.card('huang-zhihao');
  catcher.refuseNext(3);
  await registerWithJs(ctx, 'huang-zhihao');
  await ctx.app.notifier.idle();
  clock.advance(DUE_POLICY.retryDelayMs);
  t.equal(await ctx.app.notifier.retryDue(), 1, 'second try after 5 minutes');
  clock.advance(DUE_POLICY.retryDelayMs);
  t.equal(await ctx.app.notifier.retryDue(), 0, 'the third waits twice as long');
  clock.advance(DUE_POLICY.retryDelayMs);
  t.equal(await ctx.app.notifier.retryDue(), 1, 'third try after 10 more minutes');
  const mail = await mailOf(ctx, huang.idNumber);
  t.equal(mail.status, 'failed');
  t.equal(mail.attempts, 3);
  t.equal(catcher.mails.length, 0);
  const cast = await createCast(ctx.db.pool);
  const page = await ctx.app.inject({
    url: `/admin/accounts/${mail.account_id}`,
    headers: { cookie: cast.cookies.operator },
  });
  t.match(page.body, /已嘗試 3 次/);
  t.match(page.body, /已達重試上限，不再寄送/);
  clock.advance(24 * 3600_000);
  t.equal(await ctx.app.notifier.retryDue(), 0, 'no fourth try, however long after');
  t.equal((await mailOf(ctx, huang.idNumber)).attempts, 3);
});

t.test('a relay that accepts the connection and never answers does not hold up the registration', async (t) => {
  // A server that takes connections and says nothing (no SMTP greeting) until the test lets go of them.
  const sockets = new Set<Socket>();
  const silent: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => silent.close(() => resolve())));
  const { port } = silent.address() as { port: number };
  const ctx = await buildRegisterApp(demoCardVerifier(pki), { SMTP_URL: `smtp://127.0.0.1:${port}` });
  t.teardown(ctx.close);
  const wang = pki.card('wang-xiaoming');
  const { res, done } = await registerWithJs(ctx, 'wang-xiaoming');
  t.equal(res.statusCode, 303);
  t.equal(done?.statusCode, 200, '註冊完成 while the relay has not said a word');
  const waiting = await mailOf(ctx, wang.idNumber);
  t.ok(['pending', 'sending'].includes(waiting.status), `the mail is still on its way (${waiting.status})`);
  for (const socket of sockets) socket.destroy();
  // A connection made after the destroy (the claim may come later) is ended as it arrives.
  silent.on('connection', (socket) => socket.destroy());
  await ctx.app.notifier.idle();
  const failed = await mailOf(ctx, wang.idNumber);
  t.equal(failed.status, 'failed');
  t.ok(failed.last_error, 'with the relay error recorded');
});

t.test('a mail left sending by a portal process that stopped is tried again after 10 minutes', async (t) => {
  const catcher = await startMailCatcher();
  t.teardown(catcher.close);
  const clock = movableClock();
  const ctx = await buildRegisterApp(demoCardVerifier(pki), { SMTP_URL: catcher.url }, clock.now);
  t.teardown(ctx.close);
  const cast = await createCast(ctx.db.pool);
  // What a process that stopped between claiming a mail and sending it leaves behind.
  const { rows } = await ctx.db.pool.query(
    `INSERT INTO notifications (account_id, kind, status, attempts, created_at, updated_at)
     VALUES ($1, 'account_suspended', 'sending', 1, $2, $2) RETURNING id`,
    [cast.citizen.id, clock.now()],
  );
  clock.advance(DUE_POLICY.staleAfterMs - 1000);
  t.equal(await ctx.app.notifier.retryDue(), 0);
  clock.advance(2000);
  t.equal(await ctx.app.notifier.retryDue(), 1);
  const { rows: after } = await ctx.db.pool.query('SELECT status, attempts FROM notifications WHERE id = $1', [
    rows[0].id,
  ]);
  t.same(after[0], { status: 'sent', attempts: 2 });
  t.match(catcher.mails[0].parsed.subject, /帳號已停用/);
  t.same(catcher.mails[0].envelope.to, [cast.citizen.email1]);
});
