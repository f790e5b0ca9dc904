/**
 * Summarises V8 CPU profiles (`.cpuprofile`, written by `node --cpu-prof`): the functions with the
 * most self time, and the share spent in JavaScript, in native code (the socket writes), in GC
 * and idle. `npm run bench:fanout -- --profile` writes a profile of every chatserver process.
 *
 *   tsx bench/profile.ts bench/results/profiles/<file>.cpuprofile [--top 25]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${path.basename(url)}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    const name = frameName(node);
    selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
    totalUs += delta;
  });
  const share = (name: string) => ((selfUs.get(name) ?? 0) / totalUs) * 100;
  const busyUs = totalUs - (selfUs.get('(idle)') ?? 0);
  console.log(`\n${path.basename(file)}: ${(totalUs / 1e6).toFixed(1)} s sampled, ${(busyUs / 1e6).toFixed(2)} s busy; idle ${share('(idle)').toFixed(1)}%, GC ${share('(garbage collector)').toFixed(1)}%, program ${share('(program)').toFixed(1)}%`);
  const rows = [...selfUs].filter(([name]) => name !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
  console.table(rows.map(([name, us]) => ({ function: name.slice(0, 90), 'self ms': Math.round(us / 1000), '% of busy': Number(((us / busyUs) * 100).toFixed(1)) })));
}
