/** The admin key, asked for once per tab. */
export function SignInForm({ onKey }: { onKey: (key: string) => void }) {
  const submit = (event: Event) => {
    event.preventDefault();
    const key = new FormData(event.currentTarget as HTMLFormElement).get('key');
    if (typeof key === 'string' && key !== '') onKey(key);
  };
  return (
    <form id="sign-in" class="admin-card sign-in" onSubmit={submit}>
      <h2>Sign in</h2>
      <p class="note">The server's ADMIN_KEY. It stays in this tab only and is sent with every call.</p>
      <label for="key">Admin key</label>
      <input id="key" name="key" type="password" autocomplete="current-password" required />
      <button type="submit">Sign in</button>
    </form>
  );
}
