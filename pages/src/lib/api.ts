/**
 * JSON calls to this server's APIs (public on the page's own origin, admin on the admin port):
 * `{data}` on success, `{error: {code, message}}` otherwise (docs/api.md). A failure throws an
 * ApiError carrying the server's plain-language message and code.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string };
}

/** Fetches `url` and returns its `data`; `what` names the thing in the message of a failure without one from the server. */
export async function getJson<T>(url: string, what: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch {
    throw new ApiError(`${what} could not be loaded: the server did not answer`, 0, undefined);
  }
  const body = (await response.json().catch(() => ({}))) as { data?: T } & ErrorBody;
  if (!response.ok) throw new ApiError(body.error?.message ?? `${what} could not be loaded (${response.status})`, response.status, body.error?.code);
  return body.data as T;
}
