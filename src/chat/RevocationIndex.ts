import type { RevocationRecord } from '../contracts/records.js';

function revocationKey(user: string, room: string | null): string {
  return room === null ? user : `${user}\u0000${room}`;
}

/** A worker's token revocations (admin API), by user and room, replaced whole when they change. */
export class RevocationIndex {
  /** `user` or `user room` -> tokens issued at or before this time (ms) are revoked. */
  readonly #revokedAt = new Map<string, number>();

  replaceAll(revocations: readonly RevocationRecord[]): void {
    this.#revokedAt.clear();
    for (const revocation of revocations) this.#revokedAt.set(revocationKey(revocation.user, revocation.room), revocation.revokedAt);
  }

  /**
   * Whether a token of this user issued at `issuedAtS` (the JWT's `iat`, seconds) was revoked for
   * this room or every room. A token issued in the same second as the revocation is revoked too.
   */
  revoked(userId: string, room: string, issuedAtS: number): boolean {
    const revokedAt = Math.max(this.#revokedAt.get(revocationKey(userId, null)) ?? -1, this.#revokedAt.get(revocationKey(userId, room)) ?? -1);
    return issuedAtS * 1000 <= revokedAt;
  }
}
