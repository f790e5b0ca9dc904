/**
 * An operator's API key kept for this tab only (sessionStorage: gone when the tab closes), never
 * in localStorage or a cookie, and never in a URL. One per key kind (`KEY`, `ADMIN_KEY`).
 */
export interface SessionKey {
  read(): string | null;
  /** Stores the key, or forgets it with null. */
  write(key: string | null): void;
}

export function sessionKey(storageName: string): SessionKey {
  return {
    read: () => sessionStorage.getItem(storageName),
    write: (key) => (key === null ? sessionStorage.removeItem(storageName) : sessionStorage.setItem(storageName, key)),
  };
}
