// Summarises a .cpuprofile (node --cpu-prof) as the functions with the most self time, and the same grouped by
// package or project folder, so a profile of the portal under load reads in a few lines.
//   npx tsx test/bench/profile-summary.ts <file.cpuprofile> [top-n] [--callers functionName]
// --callers adds, for one function (say writev), whose calls its self time came from.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const callersIndex = process.argv.indexOf('--callers');
const callersOf = callersIndex >= 0 ? process.argv[callersIndex + 1] : undefined;
const [file, topArg] = process.argv
  .slice(2)
  .filter((_, i, all) => all[i] !== '--callers' && all[i - 1] !== '--callers');
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top-n]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

// Self time per node from the sample stream (each sample's time delta belongs to the node sampled).
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

/** Where a frame lives: a package under node_modules, a project folder, node's own code, or the engine. */
function place(url: string): string {
  if (!url) return '(native / engine)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return url;
  const project = /\/(server|views|test)\/(.*?)([^/]+)$/.exec(url);
  return project ? `${project[1]}/${project[2]}${project[3]}` : url.replace(/^file:\/\//, '');
}

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id) ?? 0;
  if (micros === 0) continue;
  const where = place(node.callFrame.url);
  const name = `${node.callFrame.functionName || '(anonymous)'}  ${where}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  const group = where.startsWith('server/') ? where.split('/').slice(0, 2).join('/') : where;
  byPlace.set(group, (byPlace.get(group) ?? 0) + micros);
}

const pct = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)} %`;
const print = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${pct(micros)}  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
  }
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n`);
print('self time by function', byFunction);
print('self time by package / folder', byPlace);

if (callersOf) {
  // The chain of frames above each node of that function, shortened to the first few, with the self time below it.
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const chains = new Map<string, number>();
  for (const node of profile.nodes) {
    if (node.callFrame.functionName !== callersOf) continue;
    const frames: string[] = [];
    for (let id = parentOf.get(node.id); id !== undefined && frames.length < 8; id = parentOf.get(id)) {
      const frame = nodeById.get(id)!.callFrame;
      frames.push(`${frame.functionName || '(anonymous)'} (${place(frame.url)})`);
    }
    const chain = frames.join(' < ');
    chains.set(chain, (chains.get(chain) ?? 0) + (selfMicros.get(node.id) ?? 0));
  }
  print(`callers of ${callersOf}`, chains);
}
