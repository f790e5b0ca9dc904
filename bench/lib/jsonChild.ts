import { spawnPinned } from './processes.js';

/**
 * Runs a TypeScript script in its own Node process (on the servers' core, like a server under
 * test) and returns the JSON of its last stdout line: a measurement whose memory is that
 * process's alone.
 */
export async function runJsonChild<T>(script: string, args: readonly string[]): Promise<T> {
  const child = spawnPinned(['--import', 'tsx', script, ...args], process.env);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  const last = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}
