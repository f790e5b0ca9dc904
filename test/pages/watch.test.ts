import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineScriptRuns, launchChromium, recordCspViolations } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

describe('viewer page chat panel (Chromium)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  let roomPort: number;
  const cspViolations = new WeakMap<Page, string[]>();

  beforeAll(async () => {
    server = await start({ workers: 1 });
    roomPort = (await server.createRoom('pagetest')).body.data.port;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const openWatch = async (): Promise<Page> => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    cspViolations.set(page, await recordCspViolations(page));
    await page.goto(`http://127.0.0.1:${server.port}/watch/pagetest`);
    expect(problems).toEqual([]);
    return page;
  };

  it('joins with a name, shows history, users and messages, and renders text as text', async () => {
    const { client: other } = await ChatTestClient.join(roomPort, { name: 'Other' });
    other.send({ type: 'message', text: 'earlier message', ref: 1 });
    await other.next((f) => f.ref === 1);

    const page = await openWatch();
    await page.fill('.chat-join input', 'Browser User');
    await page.click('.chat-join button');
    await page.waitForSelector('.chat-status:has-text("as Browser User")');
    expect(await page.locator('.chat-message .chat-text').allTextContents()).toContain('earlier message');
    expect(await page.locator('.chat-user').allTextContents()).toEqual(expect.arrayContaining(['Other', 'Browser User']));

    const hostile = '<img src=x onerror="window.pwned=1"><b>bold</b>';
    other.send({ type: 'message', text: hostile });
    await page.waitForSelector(`.chat-text:text-is(${JSON.stringify(hostile)})`);
    expect(await page.locator('.chat-messages img, .chat-messages b').count()).toBe(0);
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');

    await page.fill('.chat-send input', 'hello from the page');
    await page.click('.chat-send button');
    expect(await other.next((f) => f.type === 'message' && f.name === 'Browser User')).toMatchObject({ text: 'hello from the page' });
    await page.waitForSelector('.chat-text:text-is("hello from the page")');
    other.close();
    // (Selectors, not waitForFunction: Playwright evaluates its predicate with eval, which the CSP forbids.)
    await page.waitForSelector('.chat-user:text-is("Other")', { state: 'detached' });
    expect(cspViolations.get(page)).toEqual([]);
    await page.close();
  });

  it('shows errors from the server and lets the user pick another name', async () => {
    const { client: holder } = await ChatTestClient.join(roomPort, { name: 'Taken' });
    const page = await openWatch();
    await page.fill('.chat-join input', 'taken');
    await page.click('.chat-join button');
    await page.waitForSelector('.chat-errors:has-text("Somebody in the room has this name")');
    await page.fill('.chat-join input', 'Free Name');
    await page.click('.chat-join button');
    await page.waitForSelector('.chat-status:has-text("as Free Name")');
    expect(cspViolations.get(page)).toEqual([]);
    holder.close();
    await page.close();
  });

  it('lists the rooms on the index page and says so for an unknown room', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    await page.waitForSelector('#rooms a:text-is("pagetest")');
    await page.goto(`http://127.0.0.1:${server.port}/watch/no-such-room`);
    await page.waitForSelector('#problem:has-text("No such room")');
    await page.close();
  });

  it('has its player attached (a MediaSource open) before the stream goes live, so the first segment plays without that wait', async () => {
    const page = await openWatch();
    await expect.poll(() => page.evaluate<string>("document.querySelector('video')?.src ?? ''"), { timeout: 5_000 }).toMatch(/^blob:/);
    expect(await page.evaluate<boolean>('window.chatserverPlayer.hls === null')).toBe(true);
    await page.close();
  });

  it('runs under a CSP that blocks inline script', async () => {
    const page = await openWatch();
    await page.waitForSelector('.chat-join input');
    expect(cspViolations.get(page)).toEqual([]);
    expect(await inlineScriptRuns(page)).toBe(false);
    await expect.poll(() => cspViolations.get(page)!.join()).toContain('script-src');
    await page.close();
  });
});
