import { render } from 'preact';
import { roomFromPath } from '../lib/room.ts';
import { StudioPage } from '../studio/StudioPage.tsx';

const room = roomFromPath();
document.getElementById('room-name')!.textContent = room;
document.title = `Broadcast ${room} — chatserver`;
render(<StudioPage room={room} />, document.getElementById('studio-root')!);
