import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from '../helpers/axe.js';
import { inlineScriptRuns, launchChromium, recordCspViolations } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { PHONE, scrollsSideways, shownState } from '../helpers/pageLayout.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

describe('watch page (Chromium)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  let roomPort: number;
  const cspViolations = new WeakMap<Page, string[]>();

  beforeAll(async () => {
    // A generous chat rate: one test fills the chat with more lines than a screen holds.
    server = await start({ workers: 1, env: { CHAT_RATE: '100', CHAT_BURST: '100' } });
    roomPort = (await server.createRoom('pagetest')).body.data.port;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const openWatch = async (viewport?: { width: number; height: number }, room = 'pagetest'): Promise<Page> => {
    const page = await browser.newPage(viewport ? { viewport } : {});
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    cspViolations.set(page, await recordCspViolations(page));
    await page.goto(`http://127.0.0.1:${server.port}/watch/${room}`);
    await page.waitForSelector('.chat-status');
    expect(problems).toEqual([]);
    return page;
  };

  const join = async (page: Page, name: string) => {
    await page.fill('.chat-join input', name);
    await page.click('.chat-join button');
    await page.waitForSelector(`.chat-status:has-text("as ${name}")`);
  };

  it('joins with a name, shows history, users and messages, and renders text as text', async () => {
    const { client: other } = await ChatTestClient.join(roomPort, { name: 'Other' });
    other.send({ type: 'message', text: 'earlier message', ref: 1 });
    await other.next((f) => f.ref === 1);

    const page = await openWatch();
    await join(page, 'Browser User');
    expect(await page.locator('.chat-message .chat-text').allTextContents()).toContain('earlier message');
    expect(await page.locator('.chat-user').allTextContents()).toEqual(expect.arrayContaining(['Other', 'Browser User']));

    const hostile = '<img src=x onerror="window.pwned=1"><b>bold</b>';
    other.send({ type: 'message', text: hostile });
    await page.waitForSelector(`.chat-text:text-is(${JSON.stringify(hostile)})`);
    expect(await page.locator('.chat-messages img, .chat-messages b').count()).toBe(0);
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');

    await page.fill('.chat-send input', 'hello from the page');
    await page.click('.chat-send button[type="submit"]');
    expect(await other.next((f) => f.type === 'message' && f.name === 'Browser User')).toMatchObject({ text: 'hello from the page' });
    await page.waitForSelector('.chat-text:text-is("hello from the page")');
    other.close();
    // (Selectors, not waitForFunction: Playwright evaluates its predicate with eval, which the CSP forbids.)
    await page.waitForSelector('.chat-user:text-is("Other")', { state: 'detached' });
    expect(cspViolations.get(page)).toEqual([]);
    await page.close();
  });

  it('shows errors from the server in plain words and lets the user pick another name', async () => {
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

  it('loads hls.js only as its own chunk, after the page, never in the page’s own script', async () => {
    const page = await browser.newPage();
    const scripts: string[] = [];
    page.on('request', (request) => request.resourceType() === 'script' && scripts.push(new URL(request.url()).pathname));
    await page.goto(`http://127.0.0.1:${server.port}/watch/pagetest`);
    await expect.poll(() => scripts.some((path) => /\/assets\/build\/chunks\/hls-[A-Z0-9]+\.js$/.test(path)), { timeout: 5_000 }).toBe(true);
    expect(scripts).not.toContain('/assets/vendor/hls.min.mjs');
    await page.close();
  });

  it('shows an offline state (not an empty player) with no LIVE badge, and hides what is hidden', async () => {
    const page = await openWatch();
    await page.waitForSelector('.stream-state[data-state="offline"]:has-text("pagetest is offline")');
    expect((await shownState(page, '.stream-state')).shown).toBe(true);
    // The video waits behind the offline state: really hidden (computed style), not merely covered.
    expect((await shownState(page, 'video')).shown).toBe(false);
    expect(await page.locator('.live-badge').textContent()).toBe('Offline');
    expect(await page.locator('.live-badge[data-state="live"]').count()).toBe(0);
    // Before joining: the join fields only; the message fields are not in the page at all.
    expect((await shownState(page, '.chat-join')).shown).toBe(true);
    expect(await page.locator('.chat-send').count()).toBe(0);
    // Empty error and problem lines take no room.
    expect((await shownState(page, '.chat-errors')).shown).toBe(false);
    expect((await shownState(page, '#problem')).shown).toBe(false);
    await join(page, 'Hidden Checker');
    expect((await shownState(page, '.chat-send')).shown).toBe(true);
    expect(await page.locator('.chat-join').count()).toBe(0);
    // The emoji picker is closed until asked for.
    expect(await page.locator('.emoji-grid').count()).toBe(0);
    await page.close();
  });

  it('labels every control and has no serious accessibility violations, desktop and phone, before and after joining', async () => {
    for (const viewport of [undefined, PHONE]) {
      const page = await openWatch(viewport);
      await page.waitForSelector('.stream-state');
      expect(await seriousAxeViolations(page), `logged out ${viewport ? 'phone' : 'desktop'}`).toEqual([]);
      expect(await page.getAttribute('.chat-join input', 'id')).toBe('chat-name-input');
      expect(await page.locator('label[for="chat-name-input"]').textContent()).toBe('Your name');
      await join(page, viewport ? 'Axe Phone' : 'Axe Desktop');
      expect(await page.locator('label[for="chat-text-input"]').textContent()).toBe('Message');
      await page.click('.emoji-toggle');
      await page.waitForSelector('.emoji-grid');
      expect(await seriousAxeViolations(page), `joined ${viewport ? 'phone' : 'desktop'}`).toEqual([]);
      await page.close();
    }
  });

  it('on a phone (390x844) puts the video above the chat, the chat filling the rest, with no sideways scroll', async () => {
    const { client: talker } = await ChatTestClient.join(roomPort, { name: 'Talker' });
    // Enough messages to overflow any chat list: the page must not grow with them.
    for (let i = 0; i < 40; i += 1) {
      talker.send({ type: 'message', text: `line ${i} with some words to wrap on a narrow screen`, ref: `p${i}` });
      await talker.next((f) => f.ref === `p${i}`);
    }
    const page = await openWatch(PHONE);
    await join(page, 'Phone Viewer');
    const player = await shownState(page, '#player');
    const chat = await shownState(page, '#chat');
    const input = await shownState(page, '.chat-send input');
    expect(player.shown && chat.shown && input.shown).toBe(true);
    expect(player.bottom).toBeLessThanOrEqual(chat.top + 1);
    expect(player.height).toBeGreaterThan(150);
    // The chat fills the rest of the screen and its input is on screen.
    expect(chat.bottom).toBeGreaterThan(PHONE.height - 2);
    expect(chat.bottom).toBeLessThanOrEqual(PHONE.height + 1);
    expect(input.bottom).toBeLessThanOrEqual(PHONE.height);
    expect(await page.evaluate<number>('document.documentElement.scrollHeight')).toBeLessThanOrEqual(PHONE.height);
    expect(await scrollsSideways(page)).toBe(false);
    // The list scrolls inside, landed on the newest.
    const list = await page.evaluate<{ scrollHeight: number; clientHeight: number; scrollTop: number }>(
      "(() => { const l = document.querySelector('.chat-messages'); return { scrollHeight: l.scrollHeight, clientHeight: l.clientHeight, scrollTop: l.scrollTop }; })()",
    );
    expect(list.scrollHeight).toBeGreaterThan(list.clientHeight);
    expect(list.scrollHeight - list.scrollTop - list.clientHeight).toBeLessThan(2);
    talker.close();
    await page.close();
  });

  it('offers a theatre mode that gives the video the window, and full screen', async () => {
    const page = await openWatch();
    const before = await shownState(page, '#player');
    await page.click('.mode-theatre');
    expect(await page.getAttribute('.mode-theatre', 'aria-pressed')).toBe('true');
    expect((await shownState(page, '.watch-header')).shown).toBe(false);
    const after = await shownState(page, '#player');
    expect(after.height).toBeGreaterThan(before.height);
    await page.click('.mode-theatre');
    expect((await shownState(page, '.watch-header')).shown).toBe(true);
    // Full screen: the player (video, overlays and bar), and back.
    expect(await page.locator('.mode-fullscreen').textContent()).toBe('Full screen');
    await page.click('.mode-fullscreen');
    await page.waitForSelector('.mode-fullscreen:text-is("Exit full screen")');
    expect(await page.evaluate<string | undefined>('document.fullscreenElement?.id')).toBe('player');
    await page.click('.mode-fullscreen');
    await page.waitForSelector('.mode-fullscreen:text-is("Full screen")');
    expect(await page.evaluate<boolean>('document.fullscreenElement === null')).toBe(true);
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
