/**
 * The latency scenario's chatserver producer: the real broadcast page (/broadcast/:room) with the
 * clock canvas as its camera (bench/browser/studio.js), told which ingest path to take with
 * `&via=` (WHIP or the WebSocket MediaRecorder upload), and a real watch page (/watch/:room,
 * joined to the chat with a viewer token, so it hears of the stream at once) opened before the
 * Go live click: "Go live -> first frame playing" is the time a publisher waits to be seen.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ServerProcess } from '../../test/helpers/ServerProcess.js';

export type IngestPath = 'whip' | 'websocket';

export interface StudioStartup {
  readonly via: IngestPath;
  /** Go live click -> the broadcast page shows LIVE (the server listed the first segment). */
  readonly goLiveToLiveMs: number;
  /** Go live click -> a viewer's <video> plays its first frame. */
  readonly goLiveToFirstFrameMs: number;
}

export interface StudioSession {
  readonly startup: StudioStartup;
  /** The watch page, playing: the glass-to-glass probe reads it. */
  readonly viewer: Page;
  /** Stops the stream (the page's Stop button) and closes both pages. */
  readonly close: () => Promise<void>;
}

const BROWSER_DIR = path.join(import.meta.dirname, '../browser');
const LIVE_TIMEOUT_MS = 30_000;

async function openPage(browser: Browser, url: string, scripts: readonly string[]): Promise<Page> {
  // The pages' CSP blocks inline script, and the probes are added as such.
  const page = await browser.newPage({ bypassCSP: true });
  for (const script of scripts) await page.addInitScript({ path: path.join(BROWSER_DIR, script) });
  await page.goto(url);
  // Both pages join the chat (with a token, at once): the watch page learns of the stream there.
  await page.waitForSelector('.chat-status:has-text(" as ")', { timeout: LIVE_TIMEOUT_MS });
  return page;
}

/** Opens a viewer, then the broadcaster, clicks Go live and waits until the viewer plays. */
export async function goLive(browser: Browser, server: ServerProcess, room: string, via: IngestPath): Promise<StudioSession> {
  const created = await server.createRoom(room);
  if (created.status !== 201) throw new Error(`room ${room} not created: ${JSON.stringify(created.body)}`);
  const viewer = await openPage(browser, `http://127.0.0.1:${server.port}/watch/${room}?token=${await server.token(room, 'watcher', 'viewer')}`, ['clock.js']);
  const producer = await openPage(browser, `http://127.0.0.1:${server.port}/broadcast/${room}?token=${await server.token(room, 'bench', 'producer')}&via=${via}`, ['clock.js', 'studio.js']);
  let times: { goLiveAt: number; liveAt: number };
  let firstPlayingAt: number;
  try {
    await producer.click('#start');
    await producer.waitForSelector(`#path[data-path="${via}"]`, { timeout: LIVE_TIMEOUT_MS });
    // LIVE, or the page gave up (a WHIP session the server ended says so at once).
    await producer.waitForFunction("window.studioTimes.liveAt !== null || document.querySelector('#state').dataset.state === 'error'", undefined, { timeout: LIVE_TIMEOUT_MS });
    if (await producer.evaluate('window.studioTimes.liveAt === null')) throw new Error('the page shows an error');
    await viewer.waitForFunction('window.firstPlayingAt !== undefined', undefined, { timeout: LIVE_TIMEOUT_MS });
    times = await producer.evaluate<{ goLiveAt: number; liveAt: number }>('window.studioTimes');
    firstPlayingAt = await viewer.evaluate<number>('window.firstPlayingAt');
  } catch (error) {
    const shown = `${await producer.textContent('#state')} ${await producer.textContent('#problem')}`.trim();
    await producer.close();
    await viewer.close();
    throw new Error(`the broadcast page did not go live over ${via}: ${shown}`, { cause: error });
  }
  return {
    startup: { via, goLiveToLiveMs: times.liveAt - times.goLiveAt, goLiveToFirstFrameMs: firstPlayingAt - times.goLiveAt },
    viewer,
    close: async () => {
      await producer.click('#stop');
      await producer.waitForSelector('#state:has-text("Stream ended")', { timeout: LIVE_TIMEOUT_MS });
      await producer.close();
      await viewer.close();
    },
  };
}
