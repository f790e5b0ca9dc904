/**
 * A refusal from the server, as opposed to a connection that failed: `status` and `code` say
 * whether waiting could change it (a busy slot frees; a wrong token, a ban or an operator's stop
 * does not, see `refusalIsFinal`).
 */
export class PublishRefused extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    /** Whether waiting cannot change it: by default 401 (token), 403 (viewer token, banned, stopped by a moderator or operator), 404 (room gone), not 409 (busy). */
    readonly final = status !== 409 && status < 500,
  ) {
    super(message);
  }
}

export function refusalIsFinal(error: unknown): boolean {
  return error instanceof PublishRefused && error.final;
}
