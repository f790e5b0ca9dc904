/**
 * `/admin` on the admin port: signs in with ADMIN_KEY (kept in this tab's sessionStorage only),
 * then the console. A key the server refuses signs the page out with a message saying so.
 */
import { useMemo, useState } from 'preact/hooks';
import { AdminApi, adminKey } from './adminApi.ts';
import { AdminConsole } from './AdminConsole.tsx';
import { SignInForm } from './SignInForm.tsx';
import { useOutcome } from './outcome.ts';
import './admin.css';

export function AdminPage() {
  const [key, setKey] = useState<string | null>(adminKey.read);
  const outcome = useOutcome();
  const signOut = (message = '') => {
    adminKey.write(null);
    setKey(null);
    outcome.clear();
    outcome.setProblem(message);
  };
  const api = useMemo(() => (key === null ? null : new AdminApi(key, () => signOut('The key was refused.'))), [key]);
  const signIn = (value: string) => {
    adminKey.write(value);
    outcome.clear();
    setKey(value);
  };
  return (
    <>
      <p id="problem" role="alert">{outcome.problem}</p>
      <p id="done" role="status">{outcome.done}</p>
      {api === null ? <SignInForm onKey={signIn} /> : <AdminConsole api={api} outcome={outcome} onSignOut={() => signOut()} />}
    </>
  );
}
