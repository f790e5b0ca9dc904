import { render } from 'preact';
import { AdminPage } from '../admin/AdminPage.tsx';

render(<AdminPage />, document.getElementById('app')!);
