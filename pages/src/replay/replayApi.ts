/** A recording and its chat from the public API (docs/api.md), with the page's join token where the room needs one. */
import type { MessageFrame } from '../../../src/contracts/chatFrames.ts';
import { getJson } from '../lib/api.ts';
import type { Recording } from '../lib/recordings.ts';

/** Messages per request: the API's largest page. */
const PAGE = 1000;

export type ReplayMessage = Pick<MessageFrame, 'id' | 'user' | 'name' | 'text' | 'ts'>;

const auth = (token: string | undefined): RequestInit => (token ? { headers: { authorization: `Bearer ${token}` } } : {});
const base = (room: string, id: string) => `/api/v1/room/${encodeURIComponent(room)}/recordings/${encodeURIComponent(id)}`;

export function loadRecording(room: string, id: string, token: string | undefined): Promise<Recording> {
  return getJson<Recording>(base(room, id), 'The recording', auth(token));
}

/** Every message of the recording, oldest first, page after page. */
export async function loadReplayMessages(room: string, id: string, token: string | undefined): Promise<ReplayMessage[]> {
  const messages: ReplayMessage[] = [];
  let after: string | null = null;
  do {
    const query: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const page: { messages: ReplayMessage[]; next: string | null } = await getJson(`${base(room, id)}/messages?limit=${PAGE}${query}`, 'The chat of this recording', auth(token));
    messages.push(...page.messages);
    after = page.next;
  } while (after !== null);
  return messages;
}
