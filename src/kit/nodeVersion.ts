/**
 * The Node.js release line this server runs on: the current LTS. Older lines are past their end
 * of life or lack what the server uses (`node:sqlite`).
 */
export const REQUIRED_NODE_MAJOR = 26;

/** One line saying what to install when `version` (default: this process's) is too old, or undefined. */
export function nodeVersionProblem(version: string = process.versions.node): string | undefined {
  const major = Number(version.split('.', 1)[0]);
  if (Number.isInteger(major) && major >= REQUIRED_NODE_MAJOR) return undefined;
  return `chatserver needs Node.js ${REQUIRED_NODE_MAJOR} or later (the current LTS); this is Node.js ${version}. Install Node.js ${REQUIRED_NODE_MAJOR} and start again.`;
}

/** Stops the process with that one line on too old a Node.js (the first thing an entry point does). */
export function exitIfNodeTooOld(): void {
  const problem = nodeVersionProblem();
  if (!problem) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
