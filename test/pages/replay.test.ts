import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from '../helpers/axe.js';
import { launchChromium, recordCspViolations } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { startTestPattern, type TestPublisher } from '../helpers/media.js';
import { PHONE, scrollsSideways, shownState } from '../helpers/pageLayout.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** One segment (the room's default): how far the shown chat may lag or lead the playback position. */
const SEGMENT_MS = 1000;
const BROADCAST_S = 8;
/** When, in seconds after the stream went live, the chat client speaks. */
const MOMENTS_S = [2, 4, 6];
const HOSTILE = '<img src=x onerror="window.pwned=1">';

interface Recording {
  readonly id: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly duration: number;
}

interface ReplayState {
  /** The page's wall clock of the playback position (from the playlist's PROGRAM-DATE-TIME). */
  readonly at: number;
  /** hls.js's own reading of the same, when it has one. */
  readonly playingDate: number | null;
  readonly currentTime: number;
  readonly ended: boolean;
  /** The `ts` of each message in the chat list, top to bottom. */
  readonly shown: number[];
}

const READ_STATE = `(() => {
  const { player } = window.chatserverReplay;
  const date = player.hls && player.hls.playingDate;
  return {
    at: player.wallClock(),
    playingDate: date ? date.getTime() : null,
    currentTime: player.video.currentTime,
    ended: player.video.ended,
    shown: [...document.querySelectorAll('#chat .chat-message')].map((item) => Number(item.dataset.ts)),
  };
})()`;

/** Seeks the paused video and resolves once it has (the page's own `seeked` listener ran first). */
const seekTo = (page: Page, seconds: number) =>
  page.evaluate(`new Promise((resolve) => {
    const video = window.chatserverReplay.player.video;
    video.addEventListener('seeked', () => resolve(), { once: true });
    video.currentTime = ${seconds};
  })`);

describe('replay page: a recording plays with its chat in step (Chromium + hls.js, real ffmpeg)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  let publisher: TestPublisher | undefined;
  let chat: ChatTestClient | undefined;
  /** The server's `ts` of each message sent during the broadcast (from its acknowledgement). */
  const sentTs: number[] = [];
  let before = 0;
  let recording: Recording;

  beforeAll(async () => {
    [server, browser] = await Promise.all([start({ workers: 1 }), launchChromium()]);
  });
  afterAll(async () => {
    publisher?.child.kill('SIGKILL');
    chat?.close();
    await browser?.close();
  });

  /** Every message is shown well after its time and none well before; the page's clock agrees with hls.js's and with the recording's start. */
  function expectInStep(state: ReplayState): void {
    expect(state.playingDate === null || Math.abs(state.playingDate - state.at) <= SEGMENT_MS, JSON.stringify(state)).toBe(true);
    expect(Math.abs(recording.startedAt + state.currentTime * 1000 - state.at)).toBeLessThanOrEqual(SEGMENT_MS);
    const must = sentTs.filter((ts) => ts <= state.at - SEGMENT_MS);
    const may = sentTs.filter((ts) => ts <= state.at + SEGMENT_MS);
    expect(state.shown.slice(0, must.length), JSON.stringify(state)).toEqual(must);
    expect(may.slice(0, state.shown.length), JSON.stringify(state)).toEqual(state.shown);
  }

  it('records the broadcast with the chat sent during it, listed within 1 s of the producer stopping', async () => {
    const port = (await server.createRoom('replay')).body.data.port;
    ({ client: chat } = await ChatTestClient.join(port, { name: 'Talker' }));
    const say = async (text: string, ref: number): Promise<number> => {
      chat!.send({ type: 'message', text, ref });
      return (await chat!.next((f) => f.type === 'message' && f.ref === ref)).ts as number;
    };
    before = await say('before the broadcast', 0);
    const token = await server.token('replay', 'producer1', 'producer');
    publisher = await startTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, BROADCAST_S);
    await chat.next((f) => f.type === 'stream' && f.live === true, 20_000);
    const liveAt = Date.now();
    for (const [i, moment] of MOMENTS_S.entries()) {
      // The chat speaks at set moments of the broadcast: the clock is the point here, nothing to wait for.
      await sleep(liveAt + moment * 1000 - Date.now());
      sentTs.push(await say(i === 1 ? HOSTILE : `message at ${moment} s`, i + 1));
    }
    // While it is being recorded, its chat runs up to now.
    const open = (await server.api('GET', '/api/v1/room/replay/recordings')).body.data[0];
    expect(open.endedAt).toBeNull();
    const sofar = await server.api('GET', `/api/v1/room/replay/recordings/${open.id}/messages`);
    expect(sofar.body.data.messages.map((m: { ts: number }) => m.ts)).toEqual(sentTs);
    expect((await publisher.done).code).toBe(0);
    const stoppedAt = Date.now();
    await expect
      .poll(async () => (await server.api('GET', '/api/v1/room/replay/recordings')).body.data[0]?.endedAt ?? null, { interval: 25, timeout: 5_000 })
      .not.toBeNull();
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(1000);
    recording = (await server.api('GET', '/api/v1/room/replay/recordings')).body.data[0] as Recording;
    expect(recording.duration).toBeGreaterThan(BROADCAST_S - 2);
    expect(recording.startedAt).toBeGreaterThan(before);

    const answer = await server.api('GET', `/api/v1/room/replay/recordings/${recording.id}/messages`);
    expect(answer.body.data.messages.map((m: { ts: number }) => m.ts)).toEqual(sentTs);
    expect(answer.body.data.next).toBeNull();
  });

  it('plays the recording to its end, the chat showing each message once playback passes its time; seeking back and forth', async () => {
    expect(recording, 'the recording of the first test').toBeDefined();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const violations = await recordCspViolations(page);
    await page.goto(`http://127.0.0.1:${server.port}/watch/replay`);
    await page.click(`a[href="/replay/replay/${recording.id}"]`);
    await page.waitForSelector('#chat .chat-status:has-text("3 chat messages")');
    const state = () => page.evaluate<ReplayState>(READ_STATE);

    // Playback from the start at double speed, sampled until it ends.
    await page.evaluate('window.chatserverReplay.player.video.playbackRate = 2');
    await expect.poll(async () => (await state()).currentTime, { timeout: 10_000 }).toBeGreaterThan(0.2);
    let last: ReplayState;
    let samples = 0;
    do {
      last = await state();
      expectInStep(last);
      samples += 1;
      await sleep(150);
    } while (!last.ended);
    expect(samples).toBeGreaterThan(10);
    expect(last.currentTime).toBeGreaterThan(recording.duration - 0.5);
    expect(last.shown).toEqual(sentTs);

    // Paused, on either side of each message's time: strictly in step.
    for (const ts of sentTs) {
      const offset = (ts - recording.startedAt) / 1000;
      await seekTo(page, Math.max(0, offset - 1.5));
      const earlier = await state();
      expectInStep(earlier);
      expect(earlier.shown).not.toContain(ts);
      await seekTo(page, offset + 1.5);
      const later = await state();
      expectInStep(later);
      expect(later.shown).toContain(ts);
    }
    await seekTo(page, 0);
    expect((await state()).shown).toEqual([]);
    await seekTo(page, recording.duration - 0.2);
    expect((await state()).shown).toEqual(sentTs);

    // Text as text, never markup; the message from before the broadcast is not part of it.
    expect(await page.locator('#chat .chat-text').allTextContents()).toEqual(['message at 2 s', HOSTILE, 'message at 6 s']);
    expect(await page.locator('#chat img').count()).toBe(0);
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    expect(problems).toEqual([]);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('has no serious accessibility violations, desktop and phone; on a phone the video sits above the chat', async () => {
    expect(recording, 'the recording of the first test').toBeDefined();
    for (const viewport of [{ width: 1280, height: 800 }, PHONE]) {
      const page = await browser.newPage({ viewport });
      await page.goto(`http://127.0.0.1:${server.port}/replay/replay/${recording.id}`);
      await page.waitForSelector('#chat .chat-status:has-text("3 chat messages")');
      await page.waitForSelector('#recording-title:has-text("Recording of")');
      await seekTo(page, recording.duration - 0.2);
      await page.waitForSelector('#chat .chat-message');
      expect(await seriousAxeViolations(page), `${viewport.width}x${viewport.height}`).toEqual([]);
      if (viewport === PHONE) {
        const [video, chat] = [await shownState(page, '#player'), await shownState(page, '#chat')];
        expect(video.shown && chat.shown).toBe(true);
        expect(video.bottom).toBeLessThanOrEqual(chat.top + 1);
        expect(await scrollsSideways(page)).toBe(false);
      }
      await page.close();
    }
  });

  it('lists the room’s recordings on the rooms page, with a link to the latest', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForSelector('.room-recordings:has-text("1 recording")');
    expect(await page.locator('.room-recordings a').getAttribute('href')).toBe(`/replay/replay/${recording.id}`);
    await page.close();
  });
});
