import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineScriptRuns, launchChromium, recordCspViolations } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

describe('admin page (Chromium, admin port)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  const ports: Record<string, number> = {};
  const problems: string[] = [];

  beforeAll(async () => {
    server = await start({ workers: 2 });
    for (const name of ['alpha', 'beta']) ports[name] = (await server.createRoom(name)).body.data.port;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const signedIn = async (key: string): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept());
    await recordCspViolations(page, problems);
    await page.goto(`http://127.0.0.1:${server.adminPort}/admin`);
    await page.fill('#key', key);
    await page.click('#sign-in button');
    return page;
  };
  const row = (page: Page, room: string) => page.locator(`tr[data-room="${room}"]`);

  it('is served without the key, and a wrong key is refused', async () => {
    expect((await fetch(`http://127.0.0.1:${server.adminPort}/admin`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${server.adminPort}/api/v1/rooms`)).status).toBe(401);
    const page = await signedIn('wrong key');
    await page.waitForSelector('#problem:has-text("refused")');
    expect(await page.locator('#console').isHidden()).toBe(true);
    await page.close();
  });

  it('lists the rooms and messages, kicks, drains and closes', async () => {
    const { client: ann, welcome } = await ChatTestClient.join(ports.alpha!, { name: 'Ann' });
    const page = await signedIn(server.env.ADMIN_KEY!);
    await page.waitForSelector('tr[data-room="alpha"]');
    expect(await row(page, 'beta').count()).toBe(1);
    await expect.poll(async () => (await row(page, 'alpha').locator('td').nth(1).textContent()), { timeout: 5_000 }).toBe(String(ports.alpha));
    // Where the room's producer publishes, for an operator helping one.
    await row(page, 'alpha').locator('.cell-publish summary').click();
    expect(await row(page, 'alpha').locator('.publish-rtmp').textContent()).toBe(`rtmp://127.0.0.1:${ports.alpha}/live`);
    expect(await row(page, 'alpha').locator('.publish-whip').textContent()).toBe(`http://127.0.0.1:${ports.alpha}/whip`);

    await row(page, 'alpha').locator('.room-message').fill('maintenance at noon');
    await row(page, 'alpha').locator('.room-send').click();
    expect(await ann.next((f) => f.type === 'system')).toMatchObject({ text: 'maintenance at noon' });

    await page.fill('#broadcast-text', 'to everyone');
    await page.click('#broadcast button');
    expect(await ann.next((f) => f.type === 'system')).toMatchObject({ text: 'to everyone' });

    const kicked = new Promise<number>((resolve) => ann.ws.once('close', (code) => resolve(code)));
    await row(page, 'alpha').locator('.room-user').fill(welcome.you.id);
    await row(page, 'alpha').locator('.room-kick').click();
    expect(await kicked).toBe(4003);

    await page.click('#drain');
    await page.waitForSelector('#server-state:has-text("DRAINING")');
    expect((await server.api('GET', '/health')).status).toBe(503);
    await page.click('#drain');
    await page.waitForSelector('#server-state:has-text("accepting")');
    expect((await server.api('GET', '/health')).status).toBe(200);

    await row(page, 'beta').locator('.room-close').click();
    await page.waitForSelector('tr[data-room="beta"]', { state: 'detached' });
    expect((await server.api('GET', '/api/v1/room/beta')).status).toBe(404);
    expect(problems).toEqual([]);
    expect(await inlineScriptRuns(page)).toBe(false);
  });

  it('shows only the console after a sign-in that follows a refused key', async () => {
    const page = await signedIn('wrong key');
    await page.waitForSelector('#problem:has-text("refused")');
    await page.fill('#key', server.env.ADMIN_KEY!);
    await page.click('#sign-in button');
    await page.waitForSelector('tr[data-room="alpha"]');
    expect(await page.locator('#sign-in').isVisible()).toBe(false);
    expect(await page.locator('#problem').isVisible()).toBe(false);
    expect(await page.locator('#console').isVisible()).toBe(true);
    await page.close();
  });
});
