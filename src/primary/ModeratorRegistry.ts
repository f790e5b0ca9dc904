/** How many moderator ids the primary remembers; the oldest seen is forgotten first. */
const MAX_REMEMBERED = 100_000;

/**
 * The user ids that joined some room with a moderator token since the primary started, so a
 * chat moderator's ban of another room's moderator is refused wherever the two are. Workers
 * report each moderator once (`moderator.seen`). Only KEY holders mint moderator tokens, so
 * the set grows with the site's moderators, not with anything a viewer does; it is bounded all
 * the same. Forgotten after a restart: bans set by moderators never apply to users joining as
 * moderators anyway (see ChatPolicy), this is what lets the moderator be told at once.
 */
export class ModeratorRegistry {
  readonly #seen = new Set<string>();

  seen(user: string): void {
    this.#seen.delete(user);
    this.#seen.add(user);
    if (this.#seen.size > MAX_REMEMBERED) this.#seen.delete(this.#seen.values().next().value as string);
  }

  has(user: string): boolean {
    return this.#seen.has(user);
  }
}
