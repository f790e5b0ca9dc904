import { render } from 'preact';
import { roomFromPath, tokenFromQuery } from '../lib/room.ts';
import { WatchPage } from '../watch/WatchPage.tsx';

render(<WatchPage room={roomFromPath()} token={tokenFromQuery()} />, document.getElementById('app')!);
