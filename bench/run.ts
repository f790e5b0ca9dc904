/**
 * `npm run bench` runs every scenario in turn with the same arguments (`-- --quick` for the
 * small CI-sized run). Each scenario prints its table and writes JSON to bench/results/.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const SCENARIOS = ['fanout.ts', 'rooms.ts', 'connections.ts', 'lifecycle.ts', 'hls.ts', 'latency.ts', 'durability.ts', 'store.ts', 'rtmp.ts', 'glass.ts', 'held.ts', 'recordings.ts', 'webhooks.ts', 'authHook.ts'];
const args = process.argv.slice(2);
const failed: string[] = [];
for (const scenario of SCENARIOS) {
  console.log(`\n=== ${scenario} ${args.join(' ')}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, scenario), ...args], { stdio: 'inherit' });
  if (result.status !== 0) failed.push(scenario);
}
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
