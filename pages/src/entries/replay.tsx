import { render } from 'preact';
import { tokenFromQuery } from '../lib/room.ts';
import { ReplayPage } from '../replay/ReplayPage.tsx';

/** `/replay/:room/:id` */
const [room = '', id = ''] = location.pathname.split('/').slice(2, 4).map(decodeURIComponent);
render(<ReplayPage room={room} id={id} token={tokenFromQuery()} />, document.getElementById('app')!);
