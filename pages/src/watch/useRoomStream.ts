/**
 * What the watch page knows of the room's broadcast, from three sources: the room as the page
 * loaded it, the chat's `stream` frames (at once, for viewers who joined), and the room port's
 * `/health` (live and viewers), polled every few seconds while live and with a growing wait
 * while offline. When the player reports a stall (the playlist stopped answering: a restart, a
 * network blip), the page waits for `/health` to say live again, with backoff, and then bumps
 * `attempt` so the player loads the playlist once more. Never a playlist retried every second.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { StreamState } from '../../../src/contracts/chatFrames.ts';
import { roomUrl } from '../lib/room.ts';

export type Phase = 'loading' | 'offline' | 'live' | 'waiting' | 'ended';

export interface RoomStream {
  readonly phase: Phase;
  /** The playlist's path on the room port while live. */
  readonly path: string | null;
  readonly attempt: number;
  readonly viewers: number | null;
  /** When the room went live or ended last (for reloading the recordings). */
  readonly changedAt: number;
}

const LIVE_POLL_MS = 5000;
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 30_000;
const PLAYLIST = '/hls/index.m3u8';

interface Health {
  data: { live: boolean; viewers?: number; clients?: number };
}

export function useRoomStream(port: number | null, initiallyLive: boolean | null): [RoomStream, { follow(stream: StreamState): void; stalled(): void }] {
  const [state, setState] = useState<RoomStream>({ phase: 'loading', path: null, attempt: 0, viewers: null, changedAt: 0 });
  const latest = useRef(state);
  latest.current = state;
  const wait = useRef(FIRST_WAIT_MS);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** Asks /health now (set by the polling effect). */
  const pollNow = useRef<() => void>(() => undefined);

  const becomeLive = (path: string | null) =>
    setState((s) => {
      if (s.phase === 'live' && s.path === (path ?? PLAYLIST)) return s;
      // Back from a stall: the same playlist loads again.
      return { ...s, phase: 'live', path: path ?? PLAYLIST, attempt: s.attempt + 1, changedAt: s.phase === 'waiting' ? s.changedAt : Date.now() };
    });
  const becomeOffline = () =>
    setState((s) => (s.phase === 'offline' || s.phase === 'ended' ? s : { ...s, phase: s.phase === 'loading' ? 'offline' : 'ended', path: null, changedAt: Date.now() }));

  useEffect(() => {
    if (port === null || initiallyLive === null) return undefined;
    if (initiallyLive) becomeLive(null);
    else becomeOffline();
    let gone = false;
    const poll = async () => {
      try {
        const response = await fetch(roomUrl(port, '/health'));
        if (response.ok) {
          const { data } = (await response.json()) as Health;
          setState((s) => ({ ...s, viewers: data.viewers ?? data.clients ?? s.viewers }));
          // Back from a stall the wait keeps growing until the player plays again: a playlist that
          // stalls once more is asked for later and later, never every second.
          if (data.live && latest.current.phase !== 'waiting') wait.current = FIRST_WAIT_MS;
          if (data.live) becomeLive(latest.current.path);
          else becomeOffline();
        }
      } catch {
        // The room port is away (a restart): the next poll, later, asks again.
      }
      if (gone) return;
      const phase = latest.current.phase;
      const next = phase === 'live' ? LIVE_POLL_MS : wait.current;
      if (phase !== 'live') wait.current = Math.min(MAX_WAIT_MS, wait.current * 2);
      timer.current = setTimeout(poll, next);
    };
    timer.current = setTimeout(poll, initiallyLive ? LIVE_POLL_MS : FIRST_WAIT_MS);
    // A poll started now, after a change, rather than at the end of a long wait.
    pollNow.current = () => {
      clearTimeout(timer.current);
      void poll();
    };
    return () => {
      gone = true;
      clearTimeout(timer.current);
    };
  }, [port, initiallyLive]);

  return [
    state,
    {
      follow(stream) {
        if (stream.live) becomeLive(stream.path);
        else becomeOffline();
        wait.current = FIRST_WAIT_MS;
      },
      stalled() {
        setState((s) => (s.phase === 'live' ? { ...s, phase: 'waiting' } : s));
        const delay = wait.current;
        wait.current = Math.min(MAX_WAIT_MS, wait.current * 2);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => pollNow.current(), delay);
      },
    },
  ];
}
