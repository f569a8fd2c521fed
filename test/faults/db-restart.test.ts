// A PostgreSQL of the test's own (embedded, not the shared one) stopped and started again under a registration load:
// every registration answered with success is in the database, none is half-written, the portal answers the 503 page
// while the database is away and serves again within 5 s of its return, without a restart.
import t from 'tap';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../server/db/embedded';
import { createPool } from '../../server/db/pool';
import {
  FAULT_CARDS,
  HttpBrowser,
  faultPki,
  freePort,
  halfWritten,
  registerWithCard,
  startPortal,
  type AttemptResult,
} from './helpers';

const root = mkdtempSync(join(tmpdir(), 'sw-portal-db-restart-'));
// As root the server runs as the postgres user, who must pass through this folder (mkdtemp makes it 0700).
chmodSync(root, 0o755);
t.teardown(() => rmSync(root, { recursive: true, force: true }));

const pgPort = await freePort();
const databaseDir = join(root, 'db');
const log = (line: string) => t.comment(line);
let database: EmbeddedDatabase = await startEmbeddedPostgres(databaseDir, pgPort, log);
t.teardown(() => database.stop());
const checker = createPool(database.url, { max: 2 });
t.teardown(() => checker.end());

const dataDir = join(root, 'portal');
const pki = await faultPki(dataDir);
const portal = await startPortal({ DATABASE_URL: database.url, DATA_DIR: dataDir });
t.teardown(async () => {
  if (portal.child.exitCode === null) await portal.killHard();
});
// A portal that dies under the fault is the finding: say how, at once.
void portal.exited.then((code) => {
  if (code !== 0) t.comment(`portal exited ${code}: ${portal.stderr()}`);
});

interface Attempt extends AttemptResult {
  cardId: string;
  startedAt: number;
  endedAt: number;
}

t.test(
  'registrations through a database stop and start: none lost, none half-written, 503 meanwhile, back within 5 s',
  async (t) => {
    const attempts: Attempt[] = [];
    const succeeded = () => attempts.filter((a) => a.outcome === 'succeeded');
    const submitted = new Set<string>();
    let nextCard = 0;
    let stopLoad = false;
    let databaseBackAt = Infinity;

    /** Registers card after card; a card is spent once its signed form was sent (it may have been committed). */
    async function worker(): Promise<void> {
      let cardId: string | undefined;
      while (!stopLoad) {
        if (cardId === undefined) {
          if (nextCard >= FAULT_CARDS) return;
          cardId = `card-${nextCard++}`;
        }
        const startedAt = Date.now();
        const result = await registerWithCard(new HttpBrowser(portal.origin), pki, cardId);
        attempts.push({ ...result, cardId, startedAt, endedAt: Date.now() });
        if (result.step === 'submit') {
          submitted.add(cardId);
          cardId = undefined;
        }
        // A user who sees the 503 page tries again a little later, not in a tight loop.
        if (result.outcome !== 'succeeded') await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    /** Polls until `condition` holds, at most `ms`. */
    async function until(condition: () => boolean, ms: number): Promise<boolean> {
      const deadline = Date.now() + ms;
      while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return condition();
    }

    const workers = Promise.all([worker(), worker(), worker(), worker()]);
    t.ok(await until(() => succeeded().length >= 8, 60_000), 'registrations succeed before the fault');

    await database.stop();
    const databaseDownAt = Date.now();
    // Down long enough for every worker to meet it several times.
    const metOutage = () =>
      attempts.filter((a) => a.startedAt > databaseDownAt && a.outcome === 'unavailable').length >= 12;
    t.ok(await until(metOutage, 20_000), 'the load meets the outage');
    t.equal(portal.child.exitCode, null, 'the portal survives the database going away');
    if (portal.child.exitCode !== null) {
      stopLoad = true;
      return;
    }
    const page = await fetch(`${portal.origin}/register/citizen`);
    t.equal(page.status, 503, 'a page needing the database answers 503 while it is away');
    t.equal(page.headers.get('retry-after'), '30', 'with a Retry-After');
    t.match(await page.text(), /<html lang="zh-TW">[\s\S]*系統暫停服務/, 'the 503 is the HTML page');
    t.equal((await fetch(`${portal.origin}/healthz`)).status, 200, 'the process itself keeps answering');

    database = await startEmbeddedPostgres(databaseDir, pgPort, log);
    databaseBackAt = Date.now();
    const recovered = await until(
      () => attempts.some((a) => a.startedAt >= databaseBackAt && a.outcome === 'succeeded'),
      15_000,
    );
    const firstAfter = attempts
      .filter((a) => a.startedAt >= databaseBackAt && a.outcome === 'succeeded')
      .sort((a, b) => a.endedAt - b.endedAt)[0];
    const recoveryMs = firstAfter ? firstAfter.endedAt - databaseBackAt : Infinity;
    t.ok(recovered, 'registrations succeed again after the database returns, with the same portal process');
    t.ok(recoveryMs < 5000, `the first registration after the return completed ${recoveryMs} ms after it (bound 5000)`);
    t.equal(portal.child.exitCode, null, 'the portal was not restarted');

    // Let a few more complete after the return, then stop the load.
    await until(
      () =>
        attempts.filter((a) => a.startedAt >= databaseBackAt && a.outcome === 'succeeded').length >= 4 ||
        nextCard >= FAULT_CARDS,
      30_000,
    );
    stopLoad = true;
    await workers;

    const count = (outcome: string) => attempts.filter((a) => a.outcome === outcome).length;
    const others = attempts.filter((a) => a.outcome === 'other');
    t.comment(
      `requests sent: ${attempts.length} registrations (${attempts.length * 2 - attempts.filter((a) => a.step === 'form').length} HTTP requests); ` +
        `succeeded ${count('succeeded')}, 503 ${count('unavailable')}, other ${others.length}` +
        (others.length ? ` (${others.map((a) => `${a.step} ${a.status}`).join(', ')})` : '') +
        `; database down ${databaseBackAt - databaseDownAt} ms; first success ${recoveryMs} ms after its return`,
    );
    t.same(
      others.filter((a) => a.status >= 500 || a.status === 0),
      [],
      'no 5xx but the planned 503, no dropped connection',
    );

    // Every success is there whole; every card whose form was sent is either registered whole or not at all.
    let rowsChecked = 0;
    const notWhole: string[] = [];
    for (const attempt of succeeded()) {
      const { rows } = await checker.query(
        `SELECT a.id,
         (SELECT count(*)::int FROM certificates c WHERE c.account_id = a.id) AS bindings,
         (SELECT count(*)::int FROM audit_events e WHERE e.action = 'register' AND e.subject_account_id = a.id) AS audits
       FROM accounts a WHERE a.id_number = $1`,
        [pki.card(attempt.cardId).idNumber],
      );
      if (rows.length !== 1 || rows[0].bindings !== 1 || rows[0].audits !== 1)
        notWhole.push(`${attempt.cardId} ${JSON.stringify(rows)}`);
      rowsChecked += rows.length + (rows[0]?.bindings ?? 0) + (rows[0]?.audits ?? 0);
    }
    t.same(
      notWhole,
      [],
      `each of the ${succeeded().length} successes has its account, its binding and its audit event`,
    );
    const whole = await halfWritten(checker);
    t.same(
      { withoutBinding: whole.withoutBinding, withoutAudit: whole.withoutAudit },
      { withoutBinding: 0, withoutAudit: 0 },
      'no account is half-written',
    );
    const {
      rows: [orphans],
    } = await checker.query(`
    SELECT (SELECT count(*)::int FROM certificates c WHERE NOT EXISTS
              (SELECT 1 FROM audit_events e WHERE e.action = 'register' AND e.subject_account_id = c.account_id)) AS bindings_without_audit,
           (SELECT count(*)::int FROM certificates) AS certificates,
           (SELECT count(*)::int FROM audit_events WHERE action = 'register') AS audits`);
    t.equal(orphans.bindings_without_audit, 0, 'no binding without its audit event');
    t.ok(
      whole.accounts >= count('succeeded') && whole.accounts <= submitted.size,
      `accounts (${whole.accounts}) lie between the successes and the forms sent (${submitted.size})`,
    );
    rowsChecked += orphans.certificates + orphans.audits;
    t.comment(
      `rows checked: ${rowsChecked} (${whole.accounts} accounts, ${orphans.certificates} bindings, ${orphans.audits} register audit events; ` +
        `${succeeded().length} successes looked up one by one)`,
    );

    t.equal(await portal.stop(), 0, 'the portal then shuts down cleanly');
  },
);
