// The portal SIGKILLed during a login and registration load, then started again: no half-written account, no
// challenge usable twice (every signature sent before the kill is refused afterwards), no session surviving that
// should not (one logged out before the kill stays logged out).
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { challengeFrom } from '../helpers/demo-cards';
import {
  FAULT_CARDS,
  HttpBrowser,
  csrfIn,
  faultPki,
  halfWritten,
  isolatedSchema,
  registerWithCard,
  signAs,
  startPortal,
  type AttemptResult,
} from './helpers';

const dataDir = mkdtempSync(join(tmpdir(), 'sw-portal-sigkill-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
const pki = await faultPki(dataDir);
const db = await isolatedSchema();
t.teardown(db.drop);
const env = { DATABASE_URL: db.url, DATA_DIR: dataDir, SESSION_SECRET: 'sigkill-test-secret-'.padEnd(48, 'x') };

const LOGIN_CARDS = 8;

t.test(
  'SIGKILL under load: nothing half-written, no signature usable again, logged-out sessions stay ended',
  async (t) => {
    let portal = await startPortal(env);
    const port = portal.port;
    t.teardown(async () => {
      if (portal.child.exitCode === null) await portal.killHard();
    });

    // Accounts to log in with.
    for (let i = 0; i < LOGIN_CARDS; i++) {
      const result = await registerWithCard(new HttpBrowser(portal.origin), pki, `card-${i}`);
      if (result.outcome !== 'succeeded') throw new Error(`setup registration ${i}: ${result.status}`);
    }

    const results: AttemptResult[] = [];
    /** Every signed form sent before the kill, with the cookies it went with: none may work after the restart. */
    const sent: Array<{ path: string; form: Record<string, string>; cookies: Map<string, string> }> = [];
    const loggedOut: Array<Map<string, string>> = [];
    let killed = false;
    let nextCard = LOGIN_CARDS;

    async function registrations(): Promise<void> {
      while (!killed && nextCard < FAULT_CARDS) {
        const cardId = `card-${nextCard++}`;
        results.push(await registerWithCard(new HttpBrowser(portal.origin), pki, cardId));
      }
    }

    /** Log in, keep the signed form, look at 我的帳號, log out every other time. */
    async function logins(worker: number): Promise<void> {
      for (let n = 0; !killed && n < 200; n++) {
        const cardId = `card-${(worker + n * 2) % LOGIN_CARDS}`;
        const browser = new HttpBrowser(portal.origin);
        try {
          const page = await browser.get('/login/certificate');
          const { tbs, nonce } = challengeFrom(page.body);
          const form = { _csrf: csrfIn(page.body), ...signAs(pki, cardId, tbs, nonce) };
          const cookies = new Map(browser.cookies);
          const res = await browser.post('/login/certificate', form);
          // Only a signature the portal answered was surely consumed: one cut by the kill may never have been read,
          // and is then rightly usable once after the restart.
          sent.push({ path: '/login/certificate', form, cookies });
          results.push({
            outcome: res.location === '/account' ? 'succeeded' : 'other',
            status: res.status,
            step: 'login',
          });
          if (n % 2 === 0 && res.location === '/account') {
            const account = await browser.get('/account');
            const session = new Map(browser.cookies);
            const out = await browser.post('/logout', { _csrf: csrfIn(account.body) });
            // Only a logout that was answered counts: one cut by the kill may not have ended its session.
            if (out.location === '/logged-out') loggedOut.push(session);
          }
        } catch {
          results.push({ outcome: 'other', status: 0, step: 'login' });
        }
      }
    }

    const load = Promise.all([registrations(), registrations(), logins(0), logins(1)]);
    const deadline = Date.now() + 60_000;
    while (results.filter((r) => r.outcome === 'succeeded').length < 12 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    killed = true;
    await portal.killHard();
    await load;
    const beforeKill = {
      sent: results.length,
      succeeded: results.filter((r) => r.outcome === 'succeeded').length,
      failedByKill: results.filter((r) => r.status === 0).length,
    };

    portal = await startPortal(env, port);

    const whole = await halfWritten(db.pool);
    t.same(
      { withoutBinding: whole.withoutBinding, withoutAudit: whole.withoutAudit },
      { withoutBinding: 0, withoutAudit: 0 },
      `no account half-written (${whole.accounts} accounts)`,
    );

    let replayAccepted = 0;
    for (const { path, form, cookies } of sent) {
      const replay = new HttpBrowser(portal.origin);
      replay.cookies = new Map(cookies);
      const res = await replay.post(path, form);
      if (res.status === 303 && res.location === '/account') replayAccepted++;
    }
    t.equal(replayAccepted, 0, `none of the ${sent.length} signatures sent before the kill is accepted again`);

    let survived = 0;
    for (const cookies of loggedOut) {
      const browser = new HttpBrowser(portal.origin);
      browser.cookies = new Map(cookies);
      if ((await browser.get('/account')).status === 200) survived++;
    }
    t.equal(
      survived,
      0,
      `none of the ${loggedOut.length} sessions logged out before the kill serves 我的帳號 after it`,
    );

    t.comment(
      `before the kill: ${beforeKill.sent} attempts, ${beforeKill.succeeded} succeeded, ${beforeKill.failedByKill} cut by the kill; ` +
        `after the restart: ${whole.accounts} accounts checked whole, ${sent.length} signatures replayed (${replayAccepted} accepted), ` +
        `${loggedOut.length} logged-out sessions tried (${survived} alive)`,
    );
    const code = await portal.stop();
    t.equal(code, 0, 'the restarted portal shuts down cleanly');
    if (code !== 0) t.comment(`exit code ${code}; stderr: ${portal.stderr()}`);
  },
);
