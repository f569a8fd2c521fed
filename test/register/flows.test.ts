// Registration end to end through app.inject, with real demo certificates and real signatures: the no-JS steps
// (details → certificate page → the signer's cross-site callback → confirm → 送出 → 註冊完成) and the one-page
// JavaScript path, the challenge rules, and two identical registrations racing.
import t from 'tap';
import { Browser, csrfFrom, movableClock, uniqueAddress } from '../helpers/app';
import { CHALLENGE_LIFETIME_MS } from '../../server/auth/challenges';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard, type SignedToken } from '../helpers/demo-cards';
import { buildRegisterApp, detailsFor } from './helpers';
import { SESSION_COOKIE } from '../../server/plugins/session';
import { PERSONAL_DATA_NOTICE_VERSION } from '../../server/forms/consent';

const demo = await makeDemoPki();
t.teardown(demo.remove);
const pki = demo.pki;
// The portal's clock: a test lets a challenge expire by moving it, not by back-dating its row.
const clock = movableClock();
const ctx = await buildRegisterApp(demoCardVerifier(pki), {}, clock.now);
t.teardown(ctx.close);

const wang = pki.card('wang-xiaoming');
const lin = pki.card('lin-meihua');
const chen = pki.card('chen-zhiming');

/** Step 1 without JavaScript: the details form posted without a signature. */
async function submitDetails(client: Browser, details: Record<string, string>) {
  const form = await client.get('/register/citizen');
  return client.post('/register/citizen', { _csrf: csrfFrom(form.body), ...details });
}

/** The signer's 確定 posts cross-site: no session cookie goes with it (SameSite=Lax). */
function callback(token: SignedToken) {
  return ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    remoteAddress: '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...token, lang: 'zh-TW' }).toString(),
  });
}

/** Details, certificate page, signer, callback and completion: where the browser lands after the round trip. */
async function throughCertificate(
  client: Browser,
  cardId: string,
  details: Record<string, string>,
  which: 'signing' | 'encryption' = 'signing',
) {
  const step1 = await submitDetails(client, details);
  if (step1.statusCode !== 303) throw new Error(`details refused: ${step1.statusCode}`);
  const page = await client.get('/register/citizen/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const back = await callback(signWithCard(pki, cardId, tbs, nonce, which));
  if (back.statusCode !== 303) throw new Error(`callback refused: ${back.statusCode}`);
  return client.get(back.headers.location as string);
}

async function accountsWithId(idNumber: string) {
  const { rows } = await ctx.db.pool.query(
    'SELECT id, status, category, password_hash FROM accounts WHERE id_number = $1',
    [idNumber],
  );
  return rows;
}

t.test(
  'without JavaScript a 個人 registers through the certificate page, the signer callback and the confirm page',
  async (t) => {
    const client = new Browser(ctx.app, uniqueAddress());
    const step1 = await submitDetails(client, detailsFor(wang));
    t.equal(step1.statusCode, 303);
    t.equal(step1.headers.location, '/register/citizen/certificate');

    const page = await client.get('/register/citizen/certificate');
    t.equal(page.statusCode, 200);
    t.match(page.body, /action="http:\/\/127\.0\.0\.1:61161\/nojs\/sign"/, 'the PIN form posts to the local signer');
    t.match(page.body, /name="returnUrl" value="http:\/\/localhost:3000\/signing\/callback"/);
    t.match(page.body, /王小明/);
    t.match(page.body, /步驟 2／4<\/span>\s*<span class="step-progress__name">載入自然人憑證/, 'step 2 of 4');
    const { tbs, nonce } = challengeFrom(page.body);
    t.match(tbs, /^sw-portal signing challenge v1\norigin: http:\/\/localhost:3000\npurpose: register\nnonce: /);

    const back = await callback(signWithCard(pki, 'wang-xiaoming', tbs, nonce));
    t.equal(back.statusCode, 303);
    t.match(back.headers.location, /^\/signing\/complete\?code=/);
    const completed = await client.get(back.headers.location as string);
    t.equal(completed.statusCode, 303);
    t.equal(completed.headers.location, '/register/citizen/confirm');

    const confirm = await client.get('/register/citizen/confirm');
    t.equal(confirm.statusCode, 200);
    t.match(confirm.body, /憑證載入完成。/);
    t.match(confirm.body, /步驟 3／4<\/span>\s*<span class="step-progress__name">確認註冊資料/, 'step 3 of 4');
    t.match(confirm.body, /王小明/);
    t.match(confirm.body, wang.cardSerial, 'the card serial is shown');
    t.match(confirm.body, /A123456789/);
    t.match(confirm.body, /\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}/, 'the validity is shown');
    t.notMatch(confirm.body, /Harbour2Light/);

    const submitted = await client.post('/register/citizen/confirm', { _csrf: csrfFrom(confirm.body) });
    t.equal(submitted.statusCode, 303);
    t.equal(submitted.headers.location, '/register/citizen/done');
    const done = await client.get('/register/citizen/done');
    t.equal(done.statusCode, 200);
    t.match(done.body, /註冊完成/);
    t.match(done.body, /步驟 4／4<\/span>/, 'step 4 of 4');
    t.match(done.body, /A12\*\*\*\*789/);
    t.notMatch(done.body, /A123456789/, 'the ID number is masked');
    t.match(done.body, /已啟用/);
    t.match(done.body, /href="\/login\/certificate"/);

    const [account] = await accountsWithId('A123456789');
    t.equal(account.status, 'active');
    t.equal(account.category, 'individual');
    t.match(account.password_hash, /^\$argon2id\$v=19\$m=19456,(t=2,p=1|p=1,t=2)\$/);
    const bound = await ctx.db.pool.query(
      'SELECT subject_cn, id_last4, card_serial, fingerprint_sha256 FROM certificates WHERE account_id = $1',
      [account.id],
    );
    t.equal(bound.rowCount, 1);
    t.equal(bound.rows[0].subject_cn, '王小明');
    t.equal(bound.rows[0].id_last4, '6789');
    t.equal(bound.rows[0].card_serial, wang.cardSerial);
    const audit = await ctx.db.pool.query(
      "SELECT details FROM audit_events WHERE action = 'register' AND subject_account_id = $1",
      [account.id],
    );
    t.equal(audit.rowCount, 1);
    t.equal(audit.rows[0].details.path, 'nojs');
    t.equal(
      audit.rows[0].details.personalDataNotice,
      PERSONAL_DATA_NOTICE_VERSION,
      'the registration records which notice was agreed to',
    );
    const challenge = await ctx.db.pool.query('SELECT consumed_at, completed_at FROM challenges WHERE nonce = $1', [
      nonce,
    ]);
    t.ok(challenge.rows[0].consumed_at, 'the challenge is consumed');
    t.ok(challenge.rows[0].completed_at, 'and its completion used');
  },
);

t.test('a second 送出 of the confirm page shows the same receipt and makes no second account', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const landed = await throughCertificate(client, 'lin-meihua', detailsFor(lin));
  t.equal(landed.headers.location, '/register/citizen/confirm');
  const confirm = await client.get('/register/citizen/confirm');
  const csrf = csrfFrom(confirm.body);
  const first = await client.post('/register/citizen/confirm', { _csrf: csrf });
  const second = await client.post('/register/citizen/confirm', { _csrf: csrf });
  t.equal(first.headers.location, '/register/citizen/done');
  t.equal(second.statusCode, 303);
  t.equal(second.headers.location, '/register/citizen/done');
  t.equal((await accountsWithId(lin.idNumber)).length, 1);
});

t.test('with JavaScript a 報關專責人員 registers in one POST and waits for review', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/citizen?category=customs_specialist');
  t.match(page.body, /value="customs_specialist" checked/);
  const { tbs, nonce } = challengeFrom(page.body);
  const token = signWithCard(pki, 'chen-zhiming', tbs, nonce);
  const res = await client.post('/register/citizen', {
    _csrf: csrfFrom(page.body),
    ...detailsFor(chen, { category: 'customs_specialist', name: '陳志明（聯絡窗口）' }),
    ...token,
  });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/register/citizen/done');
  const done = await client.get('/register/citizen/done');
  t.match(done.body, /審核中/);
  t.match(done.body, /承辦人員審核/);
  const [account] = await accountsWithId(chen.idNumber);
  t.equal(account.status, 'pending_review');
  t.equal(account.category, 'customs_specialist');
  const audit = await ctx.db.pool.query(
    "SELECT details FROM audit_events WHERE action = 'register' AND subject_account_id = $1",
    [account.id],
  );
  t.equal(audit.rows[0].details.path, 'js');
  t.equal(audit.rows[0].details.personalDataNotice, PERSONAL_DATA_NOTICE_VERSION);
});

t.test('the callback without a session cookie cannot be completed by another browser', async (t) => {
  const owner = new Browser(ctx.app, uniqueAddress());
  await submitDetails(owner, detailsFor(pki.card('huang-zhihao')));
  const page = await owner.get('/register/citizen/certificate');
  const { tbs, nonce } = challengeFrom(page.body);
  const back = await callback(signWithCard(pki, 'huang-zhihao', tbs, nonce));
  t.equal(back.statusCode, 303, 'the cross-site POST is accepted without a cookie');

  const stranger = new Browser(ctx.app, uniqueAddress());
  await stranger.get('/register/citizen');
  t.ok(stranger.cookies.get(SESSION_COOKIE), 'the stranger has a session of its own');
  const stolen = await stranger.get(back.headers.location as string);
  t.equal(stolen.statusCode, 403);
  t.match(stolen.body, /不屬於您目前的瀏覽器工作階段/);
  const noCookie = await ctx.app.inject({ method: 'GET', url: back.headers.location as string });
  t.not(noCookie.statusCode, 303, 'nor by a browser without a session');

  const mine = await owner.get(back.headers.location as string);
  t.equal(mine.statusCode, 303);
  t.equal(mine.headers.location, '/register/citizen/confirm', 'the browser that asked continues');
  const again = await owner.get(back.headers.location as string);
  t.equal(again.statusCode, 400, 'the completion code works once');
  t.match(again.body, /已使用過/);
});

t.test('a replayed signature is refused: the challenge is single use', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  const token = signWithCard(pki, 'huang-zhihao', tbs, nonce);
  const csrf = csrfFrom(page.body);
  // The first use fails on purpose (wrong name), which still consumes the challenge.
  const first = await client.post('/register/citizen', {
    _csrf: csrf,
    ...detailsFor(pki.card('huang-zhihao'), { name: '別人' }),
    ...token,
  });
  t.equal(first.statusCode, 400);
  const replay = await client.post('/register/citizen', {
    _csrf: csrf,
    ...detailsFor(pki.card('huang-zhihao')),
    ...token,
  });
  t.equal(replay.statusCode, 400);
  t.match(replay.body, /此次憑證作業已使用過/);
  t.equal((await accountsWithId(pki.card('huang-zhihao').idNumber)).length, 0);

  const replayedCallback = await callback(token);
  t.equal(replayedCallback.statusCode, 400, 'the no-JS callback refuses it too');
});

t.test('an expired challenge is refused', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  clock.advance(CHALLENGE_LIFETIME_MS + 1000);
  const res = await client.post('/register/citizen', {
    _csrf: csrfFrom(page.body),
    ...detailsFor(pki.card('huang-zhihao')),
    ...signWithCard(pki, 'huang-zhihao', tbs, nonce),
  });
  t.equal(res.statusCode, 400);
  t.match(res.body, /逾時（超過 5 分鐘）/);
  t.match(res.body, /href="#pin"/);
  t.match(res.body, /id="pin-error"/);
});

t.test("a challenge of another browser's session is refused on the JavaScript path", async (t) => {
  const victim = new Browser(ctx.app, uniqueAddress());
  const page = await victim.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  const token = signWithCard(pki, 'huang-zhihao', tbs, nonce);
  const attacker = new Browser(ctx.app, uniqueAddress());
  const own = await attacker.get('/register/citizen');
  const res = await attacker.post('/register/citizen', {
    _csrf: csrfFrom(own.body),
    ...detailsFor(pki.card('huang-zhihao')),
    ...token,
  });
  t.equal(res.statusCode, 400);
  t.match(res.body, /不屬於您目前的瀏覽器工作階段/);
});

t.test('a login challenge cannot be used to register', async (t) => {
  const client = new Browser(ctx.app, uniqueAddress());
  const login = await client.get('/login/certificate');
  const { tbs, nonce } = challengeFrom(login.body);
  const page = await client.get('/register/citizen');
  const res = await client.post('/register/citizen', {
    _csrf: csrfFrom(page.body),
    ...detailsFor(pki.card('huang-zhihao')),
    ...signWithCard(pki, 'huang-zhihao', tbs, nonce),
  });
  t.equal(res.statusCode, 400);
  t.match(res.body, /簽章用途不符/);
});

t.test('two identical registrations at the same time make one account and a clear answer to the other', async (t) => {
  const card = pki.card('huang-zhihao');
  const clients = [new Browser(ctx.app, uniqueAddress()), new Browser(ctx.app, uniqueAddress())];
  const forms = await Promise.all(
    clients.map(async (client) => {
      const page = await client.get('/register/citizen');
      const { tbs, nonce } = challengeFrom(page.body);
      return { _csrf: csrfFrom(page.body), ...detailsFor(card), ...signWithCard(pki, card.id, tbs, nonce) };
    }),
  );
  const results = await Promise.all(clients.map((client, i) => client.post('/register/citizen', forms[i])));
  const codes = results.map((r) => r.statusCode).sort();
  t.same(codes, [303, 409]);
  const loser = results.find((r) => r.statusCode === 409)!;
  t.match(loser.body, /此身分證號已有帳號|這張自然人憑證已註冊/);
  t.equal((await accountsWithId(card.idNumber)).length, 1);
  const bound = await ctx.db.pool.query('SELECT count(*)::int AS n FROM certificates WHERE serial_hex = $1', [
    card.signingSerial,
  ]);
  t.equal(bound.rows[0].n, 1);
  const audit = await ctx.db.pool.query(
    "SELECT count(*)::int AS n FROM audit_events a JOIN accounts c ON c.id = a.subject_account_id WHERE a.action = 'register' AND c.id_number = $1",
    [card.idNumber],
  );
  t.equal(audit.rows[0].n, 1, 'one audit event: the loser left nothing behind');
});
