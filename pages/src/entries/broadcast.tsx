import { render } from 'preact';
import { roomFromPath, tokenFromQuery } from '../lib/room.ts';
import { StudioChat } from '../studio/StudioChat.tsx';
import { StudioPage } from '../studio/StudioPage.tsx';

const room = roomFromPath();
const token = tokenFromQuery();
document.getElementById('room-name')!.textContent = room;
document.title = `Broadcast ${room} — chatserver`;
render(<StudioPage room={room} />, document.getElementById('studio-root')!);
if (token) render(<StudioChat room={room} token={token} />, document.getElementById('chat')!);
