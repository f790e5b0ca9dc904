/**
 * Screenshots of every page, desktop (1280x800) and phone (390x844), into docs/screenshots/:
 * `npm run screenshots` (it builds first). A real server (one worker, a temporary DATA_DIR),
 * real chat clients, a real ffmpeg test pattern and Debian's Chromium with its fake camera,
 * driven by playwright-core as the page tests do. Each picture is taken once the page shows
 * what it is for (a selector), never after a fixed wait. The README links them.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FAKE_MEDIA_ARGS, launchChromium } from '../test/helpers/browser.js';
import { ChatTestClient } from '../test/helpers/ChatTestClient.js';
import { startTestPattern } from '../test/helpers/media.js';
import { PHONE } from '../test/helpers/pageLayout.js';
import { ROOT, ServerProcess } from '../test/helpers/ServerProcess.js';

const OUT = path.join(ROOT, 'docs/screenshots');
const DESKTOP = { width: 1280, height: 800 } as const;
const ROOM = 'stage';
const CHAT = ['Welcome to the stage! 👋', 'hi @Sam, the slides are at https://example.org/slides', 'Sound is good here', 'Can you zoom in a little?'];

/** Opens `url` at each size, lets `ready` bring the page to what the picture shows, and saves it as `<name>-<desktop|phone>.png`. */
async function shoot(browser: Browser, url: string, name: string, ready: (page: Page) => Promise<unknown>): Promise<void> {
  for (const [kind, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const page = await browser.newPage({ viewport });
    await page.goto(url);
    await ready(page);
    await page.screenshot({ path: path.join(OUT, `${name}-${kind}.png`) });
    process.stdout.write(`docs/screenshots/${name}-${kind}.png\n`);
    await page.close();
  }
}

const server = await ServerProcess.start({ workers: 1 });
const browser = await launchChromium(FAKE_MEDIA_ARGS);
const base = `http://127.0.0.1:${server.port}`;
try {
  const port = (await server.createRoom(ROOM, { title: 'The evening show' })).body.data.port as number;
  await server.createRoom('lobby');
  await server.createRoom('studio');
  const { client: ann } = await ChatTestClient.join(port, { name: 'Ann' });
  const say = async (text: string, ref: number) => {
    ann.send({ type: 'message', text, ref });
    await ann.next((f) => f.ref === ref);
  };
  const watch = `${base}/watch/${ROOM}`;
  await shoot(browser, watch, 'watch-offline', (page) => page.waitForSelector('.stream-state[data-state="offline"]'));

  const token = await server.token(ROOM, 'producer1', 'producer');
  const publisher = await startTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, 40);
  await ann.next((f) => f.type === 'stream' && f.live === true, 20_000);
  for (const [i, text] of CHAT.entries()) await say(text, i);
  await shoot(browser, watch, 'watch-live', async (page) => {
    await page.fill('.chat-join input', 'Sam');
    await page.click('.chat-join button');
    await page.waitForSelector('.chat-send');
    await page.fill('.chat-send input', 'Looks great from here');
    await page.press('.chat-send input', 'Enter');
    await page.waitForSelector('.chat-own');
    await page.waitForSelector('.player-unmute');
    await page.waitForSelector('.player-latency:has-text("behind live")');
  });

  // The rooms page once the live room has its poster frame (the listing is read every 10 s).
  for (let tries = 0; tries < 120; tries++) {
    const [live] = (await server.api('GET', '/api/v1/rooms/live')).body.data as Array<{ thumbnailUrl: string | null }>;
    if (live?.thumbnailUrl) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await shoot(browser, `${base}/`, 'rooms', async (page) => {
    await page.waitForSelector('#rooms li.room-live img.room-thumbnail');
    await page.waitForSelector('#rooms a:text-is("lobby")');
  });

  await shoot(browser, `http://127.0.0.1:${server.adminPort}/admin`, 'admin', async (page) => {
    await page.fill('#key', server.env.ADMIN_KEY!);
    await page.click('#sign-in button');
    await page.waitForSelector(`tr[data-room="${ROOM}"]`);
  });

  const studioToken = await server.token('studio', 'host', 'producer');
  await shoot(browser, `${base}/broadcast/studio?token=${encodeURIComponent(studioToken)}`, 'studio', async (page) => {
    await page.waitForSelector('#start:not([disabled])');
    await page.waitForSelector('.chat-status:has-text("as host")');
  });

  publisher.child.kill('SIGINT');
  await publisher.done;
  await shoot(browser, watch, 'watch-ended', (page) => page.waitForSelector('.stream-state a.recording-link', { timeout: 10_000 }));

  const [recording] = (await server.api('GET', `/api/v1/room/${ROOM}/recordings`)).body.data as Array<{ id: string }>;
  await shoot(browser, `${base}/replay/${ROOM}/${recording!.id}`, 'replay', async (page) => {
    await page.waitForSelector('#chat .chat-status:has-text("chat message")');
    await page.evaluate("new Promise((resolve) => { const v = document.querySelector('video'); v.pause(); v.addEventListener('seeked', resolve, { once: true }); v.currentTime = v.duration ? v.duration - 1 : 10; })");
    await page.waitForSelector('#chat .chat-message');
  });
  ann.close();
} finally {
  await browser.close();
  await server.dispose();
}
