/**
 * Screenshots of the viewer pages (watch: offline, live with chat, ended; replay), desktop
 * (1280x800) and phone (390x844), into docs/screenshots/. A real server and a real ffmpeg test
 * pattern, as the page tests use. Run after `npm run build`:
 *
 *   npx tsx test/screenshots/viewerPages.ts
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { startTestPattern } from '../helpers/media.js';
import { PHONE } from '../helpers/pageLayout.js';
import { ROOT, ServerProcess } from '../helpers/ServerProcess.js';

const OUT = path.join(ROOT, 'docs/screenshots');
const DESKTOP = { width: 1280, height: 800 } as const;
const ROOM = 'stage';
const CHAT = ['Welcome to the stage! 👋', 'hi @Sam, the slides are at https://example.org/slides', 'Sound is good here', 'Can you zoom in a little?'];

async function shoot(browser: Browser, url: string, name: string, ready: (page: Page) => Promise<void>): Promise<void> {
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
const browser = await launchChromium();
try {
  const port = (await server.createRoom(ROOM)).body.data.port as number;
  const { client: ann } = await ChatTestClient.join(port, { name: 'Ann' });
  const say = async (text: string, ref: number) => {
    ann.send({ type: 'message', text, ref });
    await ann.next((f) => f.ref === ref);
  };
  const watch = `http://127.0.0.1:${server.port}/watch/${ROOM}`;
  await shoot(browser, watch, 'watch-offline', (page) => page.waitForSelector('.stream-state[data-state="offline"]').then(() => undefined));

  const token = await server.token(ROOM, 'producer1', 'producer');
  const publisher = await startTestPattern(`http://127.0.0.1:${port}/ingest?token=${token}`, 14);
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
  await publisher.done;
  await shoot(browser, watch, 'watch-ended', (page) => page.waitForSelector('.stream-state a.recording-link', { timeout: 10_000 }).then(() => undefined));

  const [recording] = (await server.api('GET', `/api/v1/room/${ROOM}/recordings`)).body.data as Array<{ id: string }>;
  await shoot(browser, `http://127.0.0.1:${server.port}/replay/${ROOM}/${recording!.id}`, 'replay', async (page) => {
    await page.waitForSelector('#chat .chat-status:has-text("chat message")');
    await page.evaluate("new Promise((resolve) => { const v = document.querySelector('video'); v.pause(); v.addEventListener('seeked', resolve, { once: true }); v.currentTime = v.duration ? v.duration - 1 : 10; })");
    await page.waitForSelector('#chat .chat-message');
  });
  ann.close();
} finally {
  await browser.close();
  await server.dispose();
}
