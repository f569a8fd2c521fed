// Agreement of the engine with the C2SP x509-limbo suite, per namespace, as a Markdown table for docs/pki.md.
// Run by hand: npx tsx test/pki/limbo-report.ts [path/to/limbo.json]   (default: ../shared/x509-limbo/limbo.json)
import { readFileSync } from 'node:fs';
import { runLimbo } from '../../server/pki/cli/verify-chain.js';
import { EXPLAINED_DISAGREEMENTS } from './limbo-expectations.js';
import { LIMBO_NOW, limboPath } from './limbo-file.js';

interface Row {
  cases: number;
  agree: number;
  explained: number;
  unexplained: number;
  skipped: number;
}

export function limboReport(limbo: { testcases: { id: string; expected_result: string }[] }) {
  const results = runLimbo(limbo as unknown as Parameters<typeof runLimbo>[0], LIMBO_NOW).results;
  const expected = new Map(limbo.testcases.map((c) => [c.id, c.expected_result]));
  const rows = new Map<string, Row>();
  const disagreements: { id: string; expected: string; actual: string; context: string; why?: string }[] = [];
  for (const r of results) {
    const ns = r.id.split('::')[0];
    const row = rows.get(ns) ?? { cases: 0, agree: 0, explained: 0, unexplained: 0, skipped: 0 };
    rows.set(ns, row);
    row.cases++;
    if (r.actual_result === 'SKIPPED') row.skipped++;
    else if (r.actual_result === expected.get(r.id)) row.agree++;
    else {
      const why = EXPLAINED_DISAGREEMENTS[r.id];
      if (why) row.explained++;
      else row.unexplained++;
      disagreements.push({ id: r.id, expected: expected.get(r.id)!, actual: r.actual_result, context: r.context, why });
    }
  }
  return { rows, disagreements, results };
}

function main() {
  const file = process.argv[2] ?? limboPath();
  const limbo = JSON.parse(readFileSync(file, 'utf8'));
  const { rows, disagreements } = limboReport(limbo);
  const total: Row = { cases: 0, agree: 0, explained: 0, unexplained: 0, skipped: 0 };
  const lines = [
    '| namespace | cases | agree | disagree (explained) | disagree (unexplained) | skipped | agreement |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [ns, r] of [...rows].sort()) {
    for (const k of Object.keys(total) as (keyof Row)[]) total[k] += r[k];
    lines.push(
      `| ${ns} | ${r.cases} | ${r.agree} | ${r.explained} | ${r.unexplained} | ${r.skipped} | ${((100 * r.agree) / (r.cases - r.skipped)).toFixed(1)}% |`,
    );
  }
  lines.push(
    `| **all** | ${total.cases} | ${total.agree} | ${total.explained} | ${total.unexplained} | ${total.skipped} | ${((100 * total.agree) / (total.cases - total.skipped)).toFixed(1)}% |`,
  );
  console.log(lines.join('\n'));
  console.log('\n| case | expected | engine | why |\n|---|---|---|---|');
  for (const d of disagreements)
    console.log(`| \`${d.id}\` | ${d.expected} | ${d.actual} | ${d.why ?? `**unexplained**: ${d.context}`} |`);
}

if (import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
