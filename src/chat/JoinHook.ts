import type { AuthHook } from '../authhook/AuthHook.js';
import type { Ref, UserView } from '../contracts/chatFrames.js';
import { cleanName } from './names.js';
import type { Connection } from './roomPorts.js';
import { errorFrame } from './serverFrames.js';

/** A join the hook allowed: who joins (name and role as the hook shaped them) and until when. */
export interface HookedJoin {
  readonly view: UserView;
  readonly expiresAt: number | undefined;
}

/**
 * Asks the site's hook about a join (after the token and bans passed). A refusal is answered on
 * the connection: an `error` frame with the hook's reason, then close 4005 (HOOK_DENIED), or
 * 1013 when the hook could not be asked and AUTH_HOOK_FAILURE=deny. An allow may rename the user
 * (a name that cleaning rejects is ignored) and lower the role to viewer (the hook answer's own
 * check: it never raises one).
 */
export async function askJoinHook(hook: AuthHook, room: string, connection: Connection, view: UserView, ref: Ref | undefined): Promise<HookedJoin | undefined> {
  const verdict = await hook.check({ action: 'join', room, user: view.id, role: view.role, name: view.name, anonymous: view.anonymous, ip: connection.ip, protocol: 'chat' });
  if (!verdict.allow) {
    connection.send(errorFrame(verdict.code, verdict.reason, ref));
    connection.close(verdict.code === 'HOOK_UNAVAILABLE' ? 'TRY_AGAIN_LATER' : verdict.code === 'SESSION_EXPIRED' ? 'SESSION_ENDED' : 'HOOK_DENIED', verdict.reason);
    return undefined;
  }
  const name = verdict.name === undefined ? view.name : (cleanName(verdict.name) ?? view.name);
  return { view: { ...view, name, role: verdict.role ?? view.role }, expiresAt: verdict.expiresAt };
}
