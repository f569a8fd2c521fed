// A double click on 送出 sends the same form twice at once from one browser. One account is made, and whichever answer
// the browser shows is the receipt of that registration, not an error about the challenge having been used.
import t from 'tap';
import { Browser, csrfFrom, uniqueAddress } from '../helpers/app';
import { challengeFrom, demoCardVerifier, makeDemoPki, signWithCard } from '../helpers/demo-cards';
import { buildRegisterApp, detailsFor } from './helpers';

const demo = await makeDemoPki(new Date(), [
  { id: 'wu', purpose: 'citizen', holderName: '吳淑芬', idNumber: 'A223456781', pin: '246810', issuer: 'g3' },
  {
    id: 'tsai',
    purpose: 'customs-specialist',
    holderName: '蔡明宏',
    idNumber: 'N123456780',
    pin: '135790',
    issuer: 'g2',
  },
]);
t.teardown(demo.remove);
const pki = demo.pki;
const ctx = await buildRegisterApp(demoCardVerifier(pki));
t.teardown(ctx.close);

async function count(idNumber: string) {
  return (await ctx.db.pool.query('SELECT count(*)::int AS n FROM accounts WHERE id_number = $1', [idNumber])).rows[0]
    .n;
}

t.test('the one-page form posted twice at once registers once and both answers lead to 註冊完成', async (t) => {
  const wu = pki.card('wu');
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  const form = { _csrf: csrfFrom(page.body), ...detailsFor(wu), ...signWithCard(pki, 'wu', tbs, nonce) };
  const answers = await Promise.all([client.post('/register/citizen', form), client.post('/register/citizen', form)]);
  t.same(
    answers.map((a) => a.statusCode),
    [303, 303],
  );
  t.same(
    answers.map((a) => a.headers.location),
    ['/register/citizen/done', '/register/citizen/done'],
  );
  t.equal(await count(wu.idNumber), 1);
  const done = await client.get('/register/citizen/done');
  t.match(done.body, /A22\*\*\*\*781/);
  const audit = await ctx.db.pool.query(
    "SELECT details FROM audit_events WHERE action = 'register' AND details->>'challenge' = $1",
    [nonce],
  );
  t.equal(audit.rowCount, 1, 'one audit event, naming the challenge');
});

t.test('the confirm page posted twice at once registers once and both answers lead to 註冊完成', async (t) => {
  const tsai = pki.card('tsai');
  const client = new Browser(ctx.app, uniqueAddress());
  const form = await client.get('/register/citizen');
  await client.post('/register/citizen', {
    _csrf: csrfFrom(form.body),
    ...detailsFor(tsai, { category: 'customs_specialist' }),
  });
  const certificate = await client.get('/register/citizen/certificate');
  const { tbs, nonce } = challengeFrom(certificate.body);
  const back = await ctx.app.inject({
    method: 'POST',
    url: '/signing/callback',
    remoteAddress: '127.0.0.1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...signWithCard(pki, 'tsai', tbs, nonce) }).toString(),
  });
  t.equal((await client.get(back.headers.location as string)).headers.location, '/register/citizen/confirm');
  const confirm = await client.get('/register/citizen/confirm');
  const csrf = csrfFrom(confirm.body);
  const answers = await Promise.all([
    client.post('/register/citizen/confirm', { _csrf: csrf }),
    client.post('/register/citizen/confirm', { _csrf: csrf }),
  ]);
  t.same(
    answers.map((a) => a.statusCode),
    [303, 303],
  );
  t.same(
    answers.map((a) => a.headers.location),
    ['/register/citizen/done', '/register/citizen/done'],
  );
  t.equal(await count(tsai.idNumber), 1);
  t.match((await client.get('/register/citizen/done')).body, /審核中/);
});

t.test('the same form sent again later by the same browser is answered with the receipt too', async (t) => {
  const wu = pki.card('wu');
  const client = new Browser(ctx.app, uniqueAddress());
  const page = await client.get('/register/citizen');
  const { tbs, nonce } = challengeFrom(page.body);
  const form = {
    _csrf: csrfFrom(page.body),
    ...detailsFor(wu, { idNumber: 'A223456781' }),
    ...signWithCard(pki, 'wu', tbs, nonce),
  };
  // 吳淑芬 is registered (above) with another challenge: this new one is refused as an ID already registered.
  const first = await client.post('/register/citizen', form);
  t.equal(first.statusCode, 409);
  t.match(first.body, /此身分證號已有帳號/);
  const again = await client.post('/register/citizen', form);
  t.equal(again.statusCode, 400, 'a refused challenge stays used');
  t.match(again.body, /已使用過/);
});
