import { createHash } from 'node:crypto';
import { CHAT_LIMITS } from './chatLimits.js';
import { nameKey } from './names.js';
import { LIMITS } from './protocol.js';

/** What a signed-in user is shown as, and the anonymous user who held that name until now. */
export interface SignedInName {
  readonly name: string;
  readonly displaced: string | undefined;
}

/** A short tag from a user id: the same user always gets the same tag. */
function tagOf(userId: string, length: number): string {
  return createHash('sha256').update(userId).digest('hex').slice(0, length);
}

/** `name #tag`, the name shortened when needed so the whole stays within the name limit. */
function tagged(name: string, tag: string): string {
  const suffix = ` #${tag}`;
  return [...name].slice(0, LIMITS.maxName - suffix.length).join('').trimEnd() + suffix;
}

/**
 * Who holds which name in a room (compared by nameKey: case and lookalikes folded), so two
 * people never appear with the same-looking name, and no anonymous user can pass for a
 * signed-in one:
 * - an anonymous user gets a name only if nobody present holds it and no signed-in user has
 *   used it in this room (since the room opened in this worker);
 * - a signed-in (token) user keeps their name, and an anonymous user holding it loses it;
 * - a signed-in user whose name another signed-in user present holds is shown as `name #tag`,
 *   the tag made from their user id.
 */
export class RoomNames {
  /** key -> the user present holding it */
  readonly #holders = new Map<string, string>();
  /** key -> the signed-in user who used it last */
  readonly #reserved = new Map<string, string>();

  holder(name: string): string | undefined {
    return this.#holders.get(nameKey(name));
  }

  canTakeAnonymous(name: string): boolean {
    const key = nameKey(name);
    return !this.#holders.has(key) && !this.#reserved.has(key);
  }

  /** The name a signed-in user is shown with; `isAnonymous` tells the holders apart. */
  forSignedIn(userId: string, name: string, isAnonymous: (holder: string) => boolean): SignedInName {
    for (const length of [0, 4, 8, 12]) {
      const candidate = length === 0 ? name : tagged(name, tagOf(userId, length));
      const holder = this.holder(candidate);
      if (holder === undefined || holder === userId) return { name: candidate, displaced: undefined };
      if (isAnonymous(holder)) return { name: candidate, displaced: holder };
    }
    // Three tags of two different ids colliding: odds of one in 2^48 at the last step.
    return { name: tagged(name, tagOf(userId, 12)), displaced: undefined };
  }

  take(name: string, userId: string, signedIn: boolean): void {
    const key = nameKey(name);
    this.#holders.set(key, userId);
    if (!signedIn) return;
    this.#reserved.delete(key);
    this.#reserved.set(key, userId);
    if (this.#reserved.size > CHAT_LIMITS.maxReservedNames) this.#reserved.delete(this.#reserved.keys().next().value as string);
  }

  /** The user left: the name is free again (for signed-in users, still reserved from anonymous ones). */
  release(name: string, userId: string): void {
    const key = nameKey(name);
    if (this.#holders.get(key) === userId) this.#holders.delete(key);
  }
}
