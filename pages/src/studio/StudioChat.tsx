/**
 * The room's chat beside the studio, as the producer (its token joins at once). The studio follows
 * the stream itself (its own connection and the room's /health), so the chat's stream frames are
 * not needed here.
 */
import { useEffect, useState } from 'preact/hooks';
import { ChatPanel } from '../chat/ChatPanel.tsx';
import { loadRoom, roomUrl } from '../lib/room.ts';

const ignoreStream = () => undefined;

export function StudioChat({ room, token }: { room: string; token: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    loadRoom(room).then((info) => setUrl(roomUrl(info.port, '/chat', 'ws')), () => setUrl(null));
  }, [room]);
  return <ChatPanel url={url} token={token} onStream={ignoreStream} />;
}
