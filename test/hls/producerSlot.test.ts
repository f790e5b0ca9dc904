import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProducerSlot, StreamBusyError, StreamRefusedError, type HeldStream, type SlotHolder } from '../../src/hls/ProducerSlot.js';

/** A producer's connection as the slot sees it (an IngestSession in a room). */
class Connection implements SlotHolder {
  ending = false;
  done = false;
  constructor(readonly producer: string) {}
}

const RESUME_MS = 10_000;
const REFUSE_MS = 30_000;

describe('ProducerSlot', () => {
  let now = 1_000_000;
  let expired: HeldStream<string>[] = [];
  const advance = (ms: number) => {
    now += ms;
    vi.advanceTimersByTime(ms);
  };
  const slot = (resumeMs = RESUME_MS) =>
    new ProducerSlot<Connection, string>({ resumeMs, refuseMs: REFUSE_MS, now: () => now, onExpired: (held) => expired.push(held) });
  const take = (target: ProducerSlot<Connection, string>, producer: string, issuedAt = 0) => target.take(producer, issuedAt, () => new Connection(producer));

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    expired = [];
  });
  afterEach(() => vi.useRealTimers());

  it('gives a free slot to one producer and refuses another with StreamBusyError until it leaves', () => {
    const room = slot();
    expect(room.canClaim('alice')).toBe(true);
    const { holder, resumes } = take(room, 'alice');
    expect(resumes).toBeNull();
    expect(room.holder).toBe(holder);
    expect(room.producer).toBe('alice');
    expect(room.canClaim('bob')).toBe(false);
    expect(() => take(room, 'bob')).toThrow(StreamBusyError);
    // The same producer is busy too while its stream runs (a second connection of one encoder).
    expect(() => take(room, 'alice')).toThrow(StreamBusyError);
    expect(room.leave(holder)).toBe(true);
    expect(room.leave(holder)).toBe(false);
    expect(room.producer).toBeNull();
    expect(take(room, 'bob').holder.producer).toBe('bob');
  });

  it("lets a producer claim while its own stream is finishing, never another's", () => {
    const room = slot();
    const { holder } = take(room, 'alice');
    expect(room.finishing('alice')).toBeNull();
    holder.ending = true;
    expect(room.finishing('alice')).toBe(holder);
    expect(room.finishing('bob')).toBeNull();
    expect(room.canClaim('alice')).toBe(true);
    expect(room.canClaim('bob')).toBe(false);
  });

  it('holds a dropped stream for its producer only, until the resume deadline', () => {
    const room = slot();
    room.hold('alice', 'plan-1');
    expect(room.held).toEqual({ producer: 'alice', kept: 'plan-1', until: now + RESUME_MS });
    expect(room.producer).toBe('alice');
    expect(room.canClaim('bob')).toBe(false);
    expect(() => take(room, 'bob')).toThrow(StreamBusyError);
    expect(room.canClaim('alice')).toBe(true);
    advance(RESUME_MS - 1);
    expect(expired).toEqual([]);
    const { resumes } = take(room, 'alice');
    expect(resumes?.kept).toBe('plan-1');
    expect(room.held).toBeNull();
    // The resumed stream's deadline is gone with it.
    advance(RESUME_MS);
    expect(expired).toEqual([]);
  });

  it('frees the slot and tells its owner when the producer does not come back in time', () => {
    const room = slot();
    room.hold('alice', 'plan-1');
    advance(RESUME_MS);
    expect(expired.map((held) => held.producer)).toEqual(['alice']);
    expect(room.held).toBeNull();
    expect(room.producer).toBeNull();
    expect(take(room, 'bob').resumes).toBeNull();
  });

  it('holds a stream again for what is left of its wait, not anew', () => {
    const room = slot();
    room.hold('alice', 'plan-1');
    advance(4_000);
    const { holder, resumes } = take(room, 'alice');
    room.leave(holder);
    expect(room.holdAgain(resumes!)).toBe(true);
    expect(room.held?.until).toBe(resumes!.until);
    advance(RESUME_MS - 4_000 - 1);
    expect(expired).toEqual([]);
    advance(1);
    expect(expired).toHaveLength(1);
    // Past its deadline, a stream is not held again: its owner ends it.
    expect(room.holdAgain(resumes!)).toBe(false);
    expect(room.held).toBeNull();
  });

  it('says whether a dropped stream is held at all', () => {
    expect(slot().resumes).toBe(true);
    expect(slot(0).resumes).toBe(false);
  });

  it('refuses a stopped live producer for the refusal time with StreamRefusedError, others not', () => {
    const room = slot();
    const { holder } = take(room, 'alice');
    const stopped = room.stop('The stream was stopped by moderator Mo');
    expect(stopped).toEqual({ live: holder });
    // The caller disconnects the live producer; the slot frees when the connection leaves.
    holder.done = true;
    room.leave(holder);
    expect(room.canClaim('alice')).toBe(false);
    expect(() => take(room, 'alice')).toThrow(StreamRefusedError);
    expect(() => take(room, 'alice')).toThrow('The stream was stopped by moderator Mo; you may stream again in 30 s');
    expect(room.canClaim('bob')).toBe(true);
    now += REFUSE_MS - 1_500;
    expect(() => take(room, 'alice')).toThrow('you may stream again in 2 s');
    now += 1_500;
    expect(room.canClaim('alice')).toBe(true);
    expect(take(room, 'alice').holder.producer).toBe('alice');
  });

  it('releases a held stream on a stop and refuses its producer', () => {
    const room = slot();
    room.hold('alice', 'plan-1');
    const stopped = room.stop('stopped');
    expect(stopped).toEqual({ held: { producer: 'alice', kept: 'plan-1', until: now + RESUME_MS } });
    expect(room.held).toBeNull();
    expect(room.canClaim('alice')).toBe(false);
    advance(RESUME_MS);
    expect(expired).toEqual([]);
    expect(room.stop('again')).toBeNull();
  });

  it('finds the live holder whose token is revoked, by producer and token iat', () => {
    const room = slot();
    expect(room.revokedHolder(() => true)).toBeNull();
    const { holder } = take(room, 'alice', 1_234);
    const asked: [string, number][] = [];
    expect(
      room.revokedHolder((producer, issuedAt) => {
        asked.push([producer, issuedAt]);
        return issuedAt < 1_000;
      }),
    ).toBeNull();
    expect(asked).toEqual([['alice', 1_234]]);
    expect(room.revokedHolder((_producer, issuedAt) => issuedAt <= 1_234)).toBe(holder);
    holder.done = true;
    expect(room.revokedHolder(() => true)).toBeNull();
  });
});
