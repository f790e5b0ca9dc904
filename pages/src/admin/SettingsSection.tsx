/**
 * The global chat settings (GET/PATCH /api/v1/settings): banned words and what happens to them,
 * the welcome text, the rate limits and the history a joiner gets. Read once, and again after
 * each save; the polling of the rest of the page never overwrites what is being typed.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AdminApi } from './adminApi.ts';
import type { GlobalSettings } from './adminTypes.ts';
import type { Run } from './outcome.ts';

/** Blank means "the server's default" (CHAT_RATE / CHAT_BURST): null in the API. */
function optionalNumber(value: FormDataEntryValue | null): number | null {
  const text = String(value ?? '').trim();
  return text === '' ? null : Number(text);
}

export function SettingsSection({ api, run }: { api: AdminApi; run: Run }) {
  const [settings, setSettings] = useState<GlobalSettings | null>(null);
  const load = async () => setSettings(await api.call<GlobalSettings>('GET', '/api/v1/settings'));
  useEffect(() => void load().catch(() => undefined), [api]);
  if (settings === null) return null;

  const save = (event: Event) => {
    event.preventDefault();
    const fields = new FormData(event.currentTarget as HTMLFormElement);
    const patch = {
      bannedWords: String(fields.get('bannedWords') ?? '')
        .split('\n')
        .map((word) => word.trim())
        .filter((word) => word !== ''),
      bannedWordsAction: String(fields.get('bannedWordsAction')),
      welcomeText: String(fields.get('welcomeText') ?? ''),
      chatRate: optionalNumber(fields.get('chatRate')),
      chatBurst: optionalNumber(fields.get('chatBurst')),
      historySize: Number(fields.get('historySize')),
    };
    void run(() => api.call<GlobalSettings>('PATCH', '/api/v1/settings', patch), () => 'Settings saved: every room uses them now', load);
  };

  // Keyed by the settings read, so a save (or a reload) puts the stored values back in the fields.
  return (
    <section id="settings-section" class="admin-section" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Settings</h2>
      <form id="settings-form" key={JSON.stringify(settings)} class="admin-card admin-grid" onSubmit={save}>
        <label for="banned-words">Banned words</label>
        <textarea id="banned-words" name="bannedWords" rows={4} aria-describedby="banned-words-hint" defaultValue={settings.bannedWords.join('\n')} />
        <span id="banned-words-hint" class="hint">One a line, up to 64 characters each.</span>
        <label for="banned-words-action">A message with one</label>
        <select id="banned-words-action" name="bannedWordsAction" defaultValue={settings.bannedWordsAction}>
          <option value="mask">is sent with the word masked</option>
          <option value="refuse">is refused</option>
        </select>
        <label for="welcome-text">Welcome text</label>
        <textarea id="welcome-text" name="welcomeText" rows={3} maxLength={2000} defaultValue={settings.welcomeText} />
        <label for="chat-rate">Messages per second</label>
        <input id="chat-rate" name="chatRate" type="number" min="0.01" max="10000" step="any" aria-describedby="rate-hint" defaultValue={settings.chatRate === null ? '' : String(settings.chatRate)} />
        <label for="chat-burst">Burst</label>
        <input id="chat-burst" name="chatBurst" type="number" min="1" max="10000" step="1" aria-describedby="rate-hint" defaultValue={settings.chatBurst === null ? '' : String(settings.chatBurst)} />
        <span id="rate-hint" class="hint">Per connection. Blank: the server's CHAT_RATE and CHAT_BURST.</span>
        <label for="history-size">History a joiner gets</label>
        <input id="history-size" name="historySize" type="number" min="0" max="500" step="1" required defaultValue={String(settings.historySize)} />
        <button type="submit">Save settings</button>
      </form>
    </section>
  );
}
