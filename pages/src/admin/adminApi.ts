/**
 * Calls to the admin API on the page's own origin, with the operator's ADMIN_KEY as X-API-Key.
 * A refused key (401) signs the page out: every later call would be refused too.
 */
import { ApiError, getJson } from '../lib/api.ts';
import { sessionKey } from '../lib/sessionKey.ts';

/** ADMIN_KEY, for this tab only. */
export const adminKey = sessionKey('chatserver-admin-key');

export class AdminApi {
  constructor(
    readonly key: string,
    private readonly onRefused: () => void,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'x-api-key': this.key };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await getJson<T>(path, `${method} ${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.onRefused();
        throw new ApiError('The key was refused.', 401, error.code);
      }
      throw error;
    }
  }

  /** GET /metrics: Prometheus text. */
  async metrics(): Promise<string> {
    const response = await fetch('/metrics', { headers: { 'x-api-key': this.key } });
    if (response.status === 401) this.onRefused();
    if (!response.ok) throw new ApiError(`The metrics could not be read (${response.status})`, response.status, undefined);
    return response.text();
  }
}

/** `/api/v1/room/<name>` and below, the name escaped. */
export function roomPath(room: string, rest = ''): string {
  return `/api/v1/room/${encodeURIComponent(room)}${rest}`;
}
