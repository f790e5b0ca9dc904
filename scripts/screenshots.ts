/**
 * Screenshots of every page, desktop (1280x800) and phone (390x844), into docs/screenshots/:
 * `npm run screenshots` (after `npm run build`). It starts a real server (one worker, a
 * temporary DATA_DIR), makes rooms with chat and a live test pattern (ffmpeg), and drives Debian's
 * Chromium with playwright-core, as the page tests do. The README links the pictures.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FAKE_MEDIA_ARGS, launchChromium } from '../test/helpers/browser.js';
import { ChatTestClient } from '../test/helpers/ChatTestClient.js';
import { livePush } from '../test/helpers/media.js';
import { ROOT, ServerProcess } from '../test/helpers/ServerProcess.js';

const OUT = path.join(ROOT, 'docs/screenshots');
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

interface Shot {
  /** File name without the viewport and extension. */
  readonly name: string;
  readonly url: (server: ServerProcess) => string;
  /** What a person would do before the picture (join the chat, type the admin key). */
  readonly prepare?: (page: Page, server: ServerProcess) => Promise<void>;
}

async function joinChat(page: Page, name: string): Promise<void> {
  await page.getByLabel(/name/i).first().fill(name);
  await page.getByRole('button', { name: /join/i }).first().click();
  await page.getByText(`${name}`, { exact: false }).first().waitFor();
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await ServerProcess.start({ workers: 1 });
  const browser: Browser = await launchChromium(FAKE_MEDIA_ARGS);
  const chatters: ChatTestClient[] = [];
  let push: Awaited<ReturnType<typeof livePush>> | undefined;
  try {
    await server.createRoom('lobby', { title: 'Friday night lobby' });
    await server.createRoom('quiet');
    await server.createRoom('studio');
    const lobbyPort = (await server.api('GET', '/api/v1/room/lobby')).body.data.port as number;
    push = await livePush(lobbyPort, await server.token('lobby', 'host', 'producer'), 600);
    for (const [name, text] of [['Ada', 'Hello everyone!'], ['Grace', 'The stream looks great today'], ['Linus', '@Ada welcome back 👋 see https://example.org/schedule']] as const) {
      const { client } = await ChatTestClient.join(lobbyPort, { name });
      client.send({ type: 'message', text, ref: 1 });
      await client.next((f) => f.ref === 1);
      chatters.push(client);
    }
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
      if ((await server.api('GET', '/api/v1/room/lobby')).body.data.live === true) break;
    }
    const producer = await server.token('studio', 'studio-host', 'producer');
    const shots: Shot[] = [
      { name: 'rooms', url: (s) => `http://127.0.0.1:${s.port}/` },
      { name: 'watch-live', url: (s) => `http://127.0.0.1:${s.port}/watch/lobby`, prepare: (page) => joinChat(page, 'Visitor') },
      { name: 'watch-offline', url: (s) => `http://127.0.0.1:${s.port}/watch/quiet` },
      { name: 'studio', url: (s) => `http://127.0.0.1:${s.port}/broadcast/studio?token=${encodeURIComponent(producer)}` },
      {
        name: 'admin',
        url: (s) => `http://127.0.0.1:${s.adminPort}/admin`,
        prepare: async (page, s) => {
          await page.getByLabel(/key/i).first().fill(s.env.ADMIN_KEY!);
          await page.keyboard.press('Enter');
          await page.getByText('lobby').first().waitFor();
        },
      },
    ];
    for (const [viewport, size] of Object.entries(VIEWPORTS)) {
      const context: BrowserContext = await browser.newContext({ viewport: size, deviceScaleFactor: 1 });
      for (const shot of shots) {
        const page = await context.newPage();
        await page.goto(shot.url(server), { waitUntil: 'networkidle' }).catch(() => undefined);
        await shot.prepare?.(page, server);
        // Let players and charts draw a frame or two.
        await page.waitForTimeout(1500);
        const file = path.join(OUT, `${shot.name}-${viewport}.png`);
        await page.screenshot({ path: file, fullPage: false });
        process.stdout.write(`${path.relative(ROOT, file)}\n`);
        await page.close();
      }
      await context.close();
    }
  } finally {
    for (const client of chatters) client.close();
    push?.drop();
    await browser.close();
    await server.dispose();
  }
}

await main();
