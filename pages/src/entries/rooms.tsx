import { render } from 'preact';
import { RoomsPage } from '../rooms/RoomsPage.tsx';

render(<RoomsPage />, document.getElementById('app')!);
