/**
 * Reads a room's whole history the way a client does: `history` frames, each page's `before`
 * the id of the oldest message of the page before, until `more` is false.
 */
import { joinChat } from './targets.js';

export interface StoredMessage {
  readonly id: string;
  readonly text: string;
}

interface HistoryFrame {
  readonly type: 'history';
  readonly messages: StoredMessage[];
  readonly more: boolean;
}

export async function readWholeHistory(roomPort: number): Promise<StoredMessage[]> {
  const client = await joinChat(roomPort, 'history-reader');
  const pages: StoredMessage[][] = [];
  try {
    let before: string | undefined;
    for (;;) {
      const page = await new Promise<HistoryFrame>((resolve, reject) => {
        client.onText = (text) => {
          if (text.startsWith('{"type":"history"')) resolve(JSON.parse(text) as HistoryFrame);
          else if (text.startsWith('{"type":"error"')) reject(new Error(`history refused: ${text}`));
        };
        client.send(JSON.stringify({ type: 'history', ...(before === undefined ? {} : { before }) }));
      });
      pages.push(page.messages);
      if (!page.more || page.messages.length === 0) break;
      before = page.messages[0]!.id;
    }
  } finally {
    client.close();
  }
  return pages.reverse().flat();
}
