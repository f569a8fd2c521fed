// The C2SP x509-limbo suite through the harness: every verdict either agrees or is an explained disagreement.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { EXPLAINED_DISAGREEMENTS } from './limbo-expectations.js';
import { limboAvailable, limboPath } from './limbo-file.js';
import { limboReport } from './limbo-report.js';

if (!limboAvailable()) {
  if (process.env.CI === 'true') {
    t.fail(
      `x509-limbo suite not found at ${limboPath()}: put the C2SP x509-limbo limbo.json at ../shared/x509-limbo/limbo.json (relative to the repository root)`,
    );
  } else {
    t.plan(0, `x509-limbo suite not found at ${limboPath()} (with CI=true this fails)`);
  }
} else {
  const limbo = JSON.parse(readFileSync(limboPath(), 'utf8'));
  const { rows, disagreements, results } = limboReport(limbo);

  t.test('the harness answers every limbo case, and never SKIPPED', async (t) => {
    t.equal(results.length, limbo.testcases.length);
    t.same(
      results.filter((r) => r.actual_result === 'SKIPPED').map((r) => r.id),
      [],
    );
    t.ok(
      results.every((r) => r.context.includes('not matched')),
      'each context says the peer name was not matched',
    );
  });

  t.test('every disagreement with the suite is one of the explained ones', async (t) => {
    t.same(
      disagreements.filter((d) => !d.why).map((d) => `${d.id}: ${d.context}`),
      [],
    );
  });

  t.test('every explained disagreement still disagrees (a fix must update the explanations)', async (t) => {
    t.same(Object.keys(EXPLAINED_DISAGREEMENTS).sort(), disagreements.map((d) => d.id).sort());
  });

  t.test('the RFC 5280, path length, pathological and online namespaces agree almost entirely', async (t) => {
    for (const ns of ['pathlen', 'pathological', 'online']) t.equal(rows.get(ns)!.agree, rows.get(ns)!.cases, ns);
    t.ok(rows.get('rfc5280')!.agree >= rows.get('rfc5280')!.cases - 1, 'rfc5280');
  });
}
