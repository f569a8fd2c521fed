// Two portal processes on one database, as behind a load balancer (DESIGN.md §7 Scale): requests alternate between
// them; a challenge issued by one completes on the other; logout on one ends the session on both; a signed challenge
// posted to both at once is consumed exactly once.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { challengeFrom } from '../helpers/demo-cards';
import { detailsFor } from '../register/helpers';
import { HttpBrowser, csrfIn, faultPki, freePort, isolatedSchema, loginWithCard, signAs, startPortal } from './helpers';

const dataDir = mkdtempSync(join(tmpdir(), 'sw-portal-two-portals-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
const pki = await faultPki(dataDir);
const db = await isolatedSchema();
t.teardown(db.drop);

// One public origin and one session secret, as two instances behind one name would have.
const portA = await freePort();
const env = {
  DATABASE_URL: db.url,
  DATA_DIR: dataDir,
  PUBLIC_ORIGIN: `http://127.0.0.1:${portA}`,
  SESSION_SECRET: 'two-portals-test-secret-'.padEnd(48, 'x'),
};
const a = await startPortal(env, portA);
const b = await startPortal(env);
t.teardown(async () => {
  await Promise.all([a.stop(), b.stop()]);
});

t.test('registrations alternate between the processes: the form from one, the signed POST to the other', async (t) => {
  for (let i = 0; i < 6; i++) {
    const [first, second] = i % 2 ? [b, a] : [a, b];
    const browser = new HttpBrowser(first.origin);
    const page = await browser.get('/register/citizen');
    const { tbs, nonce } = challengeFrom(page.body);
    browser.origin = second.origin;
    const cardId = `card-${i}`;
    const res = await browser.post('/register/citizen', {
      _csrf: csrfIn(page.body),
      ...detailsFor(pki.card(cardId)),
      ...signAs(pki, cardId, tbs, nonce),
    });
    t.equal(res.location, '/register/citizen/done', `${cardId}: form on :${first.port}, registered on :${second.port}`);
  }
  const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM accounts WHERE role = 'citizen'");
  t.equal(rows[0].n, 6, 'six accounts, one per card');
});

t.test(
  'a login challenge issued on one completes on the other, and logout on one ends the session on both',
  async (t) => {
    const browser = new HttpBrowser(a.origin);
    const login = await loginWithCard(browser, pki, 'card-0', a.origin, b.origin);
    t.equal(login.outcome, 'succeeded', 'challenge from A, signature to B: logged in');
    browser.origin = a.origin;
    const onA = await browser.get('/account');
    t.equal(onA.status, 200, 'A knows the session B started');
    browser.origin = b.origin;
    const onB = await browser.get('/account');
    t.equal(onB.status, 200, 'and so does B');
    const out = await browser.post('/logout', { _csrf: csrfIn(onB.body) });
    t.equal(out.location, '/logged-out', 'logged out on B');
    for (const portal of [a, b]) {
      browser.origin = portal.origin;
      const after = await browser.get('/account');
      t.not(
        after.status,
        200,
        `:${portal.port} no longer serves 我的帳號 to that session (${after.status} → ${after.location})`,
      );
    }
  },
);

t.test('a signed challenge posted to both processes at once is consumed exactly once', async (t) => {
  const rounds = 20;
  let bothSucceeded = 0;
  let exactlyOne = 0;
  let neither = 0;
  const nonces: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const cardId = `card-${i % 6}`;
    const browser = new HttpBrowser(a.origin);
    const page = await browser.get('/login/certificate');
    const { tbs, nonce } = challengeFrom(page.body);
    nonces.push(nonce);
    const form = { _csrf: csrfIn(page.body), ...signAs(pki, cardId, tbs, nonce) };
    const racers = [a, b].map((portal) => {
      const racer = new HttpBrowser(portal.origin);
      racer.cookies = new Map(browser.cookies);
      return racer.post('/login/certificate', form);
    });
    const results = await Promise.all(racers);
    const wins = results.filter((r) => r.status === 303 && r.location === '/account').length;
    if (results.some((r) => r.status >= 500)) t.fail(`a 5xx in round ${i}: ${results.map((r) => r.status)}`);
    if (wins === 2) bothSucceeded++;
    else if (wins === 1) exactlyOne++;
    else neither++;
  }
  t.comment(
    `challenge race: ${rounds} rounds, exactly one winner ${exactlyOne}, both ${bothSucceeded}, neither ${neither}`,
  );
  t.equal(bothSucceeded, 0, 'never both');
  t.equal(exactlyOne, rounds, 'always exactly one');
  const { rows } = await db.pool.query(
    'SELECT count(*)::int AS n FROM challenges WHERE nonce = ANY($1) AND consumed_at IS NOT NULL',
    [nonces],
  );
  t.equal(rows[0].n, rounds, 'every raced challenge is marked consumed');
});
