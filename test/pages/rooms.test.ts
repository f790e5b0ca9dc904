import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from '../helpers/axe.js';
import { launchChromium, recordCspViolations } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { livePush } from '../helpers/media.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const PHONE = { width: 390, height: 844 };

describe('rooms page (Chromium): live rooms first with their picture, and an operator creating a room', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  const problems: string[] = [];
  let push: Awaited<ReturnType<typeof livePush>> | undefined;

  beforeAll(async () => {
    server = await start({ workers: 1, env: { THUMBNAIL_SECONDS: '1', STREAM_RESUME_SECONDS: '0' } });
    await server.createRoom('aquiet');
    browser = await launchChromium();
    context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${server.port}` });
  });
  afterAll(async () => {
    push?.drop();
    await browser?.close();
  });

  const open = async (path: string, viewport?: { width: number; height: number }): Promise<Page> => {
    const page = await context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    page.on('pageerror', (error) => problems.push(error.message));
    await recordCspViolations(page, problems);
    await page.goto(`http://127.0.0.1:${server.port}${path}`);
    return page;
  };

  it('lists a live room first, as a card with its poster frame, title and viewers, then the offline rooms', async () => {
    const port = (await server.createRoom('zonair', { title: 'The evening show' })).body.data.port as number;
    push = await livePush(port, await server.token('zonair', 'host', 'producer'), 60);
    // Dropped at the end of the file: its answer is a cut connection.
    push.answer.catch(() => undefined);
    // The page is opened once the listing has a poster frame (it reads the listing every 10 s).
    await expect
      .poll(async () => ((await server.api('GET', '/api/v1/rooms/live')).body.data as Array<{ thumbnailUrl: string | null }>)[0]?.thumbnailUrl ?? null, { timeout: 30_000, interval: 250 })
      .not.toBeNull();
    const page = await open('/');
    await page.waitForSelector('#rooms li.room-live');
    // "zonair" sorts after "aquiet" by name: it is first because it is live.
    expect(await page.locator('#rooms > li .room-link').allTextContents()).toEqual(['zonair', 'aquiet']);
    const card = page.locator('#rooms li.room-live');
    expect(await card.locator('.live-badge').textContent()).toBe('LIVE');
    expect(await card.locator('.room-title').textContent()).toBe('The evening show');
    expect(await card.locator('.room-info').textContent()).toMatch(/^\d+ watching · live for/);
    await card.locator('img.room-thumbnail').waitFor();
    await expect.poll(() => page.evaluate<number>("document.querySelector('img.room-thumbnail').naturalWidth"), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.locator('#rooms li.room-offline .room-info').textContent()).toContain('offline');
    // The whole card opens the room: a click on the picture lands on its viewer page.
    const poster = (await card.locator('.room-poster').boundingBox())!;
    await page.mouse.click(poster.x + poster.width / 2, poster.y + poster.height / 2);
    await page.waitForURL(/\/watch\/zonair$/);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('creates a room with the key and gives watch, broadcast and moderator links and tokens that work', async () => {
    const page = await open('/');
    expect(await page.locator('#create-room').count()).toBe(0);
    await page.fill('#api-key', 'not the key');
    await page.click('#operator-key button');
    await page.fill('#room-name', 'fresh');
    await page.click('#create-room button[type="submit"]');
    await page.waitForSelector('#operator-problem:has-text("refused")');
    expect(await page.evaluate<string | null>("sessionStorage.getItem('chatserver-api-key')")).toBeNull();

    await page.fill('#api-key', server.env.KEY!);
    await page.click('#operator-key button');
    await page.waitForSelector('#create-room');
    // Kept for this tab only.
    expect(await page.evaluate<string | null>("sessionStorage.getItem('chatserver-api-key')")).toBe(server.env.KEY);
    expect(await page.evaluate<string | null>("localStorage.getItem('chatserver-api-key')")).toBeNull();
    await page.fill('#room-name', 'fresh');
    await page.fill('#room-title', 'Fresh room');
    await page.click('#create-room button[type="submit"]');
    await page.waitForSelector('#room-links h3:has-text("Room created: fresh")');
    expect((await server.api('GET', '/api/v1/room/fresh')).status).toBe(200);
    // The list shows the new room without a reload.
    await page.waitForSelector('#rooms a:text-is("fresh")');

    const origin = `http://127.0.0.1:${server.port}`;
    expect(await page.inputValue('#link-watch')).toBe(`${origin}/watch/fresh`);
    const broadcast = new URL(await page.inputValue('#link-broadcast'));
    expect(broadcast.pathname).toBe('/broadcast/fresh');
    const producerToken = await page.inputValue('#token-producer');
    expect(broadcast.searchParams.get('token')).toBe(producerToken);
    const moderatorToken = await page.inputValue('#token-moderator');
    expect(new URL(await page.inputValue('#link-moderate')).searchParams.get('token')).toBe(moderatorToken);

    // The tokens are real: the producer's opens the ingest, the moderator's joins as a moderator.
    const port = (await server.api('GET', '/api/v1/room/fresh')).body.data.port as number;
    const ingest = await fetch(`http://127.0.0.1:${port}/ingest?token=${encodeURIComponent(producerToken)}`);
    expect(ingest.status).toBe(200);
    const { client, welcome } = await ChatTestClient.join(port, { token: moderatorToken });
    expect(welcome.you).toMatchObject({ role: 'moderator' });
    client.ws.close();

    // Copy puts the value on the clipboard and says so.
    await page.click('#token-producer ~ button');
    await page.waitForSelector('#token-producer-copied:has-text("Copied")');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(producerToken);

    // An existing room: its links again, said plainly.
    await page.click('#create-room button[type="submit"]');
    await page.waitForSelector('#room-links h3:has-text("Room already exists: fresh")');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('has no serious accessibility violations, signed out and with links shown, desktop and phone', async () => {
    for (const viewport of [undefined, PHONE]) {
      const page = await open('/', viewport);
      await page.evaluate("sessionStorage.removeItem('chatserver-api-key')");
      await page.reload();
      await page.waitForSelector('#rooms li');
      await page.waitForSelector('#operator-key');
      expect(await seriousAxeViolations(page), `signed out ${viewport ? 'phone' : 'desktop'}`).toEqual([]);
      await page.fill('#api-key', server.env.KEY!);
      await page.click('#operator-key button');
      await page.fill('#room-name', 'fresh');
      await page.click('#create-room button[type="submit"]');
      await page.waitForSelector('#room-links');
      expect(await seriousAxeViolations(page), `links ${viewport ? 'phone' : 'desktop'}`).toEqual([]);
      if (viewport) expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(PHONE.width);
      await page.close();
    }
  });
});
