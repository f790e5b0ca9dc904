import type { ChatTestClient, Frame } from './ChatTestClient.js';

/**
 * A room's whole history as a joined client reads it: `history` pages from the newest back,
 * each asked only once the previous one was answered (one request at a time per connection).
 * Oldest first.
 */
export async function readWholeHistory(client: ChatTestClient, timeoutMs = 10_000): Promise<Frame[]> {
  const pages: Frame[][] = [];
  let before: string | undefined;
  for (let page = 0; ; page++) {
    const ref = `history-${page}`;
    client.send({ type: 'history', ref, ...(before === undefined ? {} : { before }) });
    const answer = await client.next((f) => f.ref === ref && (f.type === 'history' || f.type === 'error'), timeoutMs);
    if (answer.type !== 'history') throw new Error(`history page refused: ${JSON.stringify(answer)}`);
    const messages = answer.messages as Frame[];
    pages.unshift(messages);
    if (!answer.more || messages.length === 0) break;
    before = messages[0]!.id as string;
  }
  return pages.flat();
}

/** The values that occur more than once. */
export function repeated<T>(values: readonly T[]): T[] {
  const seen = new Set<T>();
  const twice = new Set<T>();
  for (const value of values) (seen.has(value) ? twice : seen).add(value);
  return [...twice];
}
