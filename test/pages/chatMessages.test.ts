import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, recordCspViolations } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { shownState } from '../helpers/pageLayout.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/** How the chat panel shows messages: newest in view, new-message indicator, older pages, own highlight, colours, mentions, links, emoji, announcements. */
describe('chat panel messages (Chromium)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    // A generous rate: the tests fill rooms with more messages than a screen holds.
    server = await start({ workers: 1, env: { CHAT_RATE: '200', CHAT_BURST: '200' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const say = async (client: ChatTestClient, texts: string[]) => {
    for (const [i, text] of texts.entries()) {
      const ref = `${text.slice(0, 20)}-${i}-${Math.random()}`;
      client.send({ type: 'message', text, ref });
      await client.next((f) => f.ref === ref);
    }
  };

  const openJoined = async (room: string, name: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on('pageerror', (error) => problems.push(error.message));
    await recordCspViolations(page, problems);
    await page.goto(`http://127.0.0.1:${server.port}/watch/${room}`);
    await page.fill('.chat-join input', name);
    await page.click('.chat-join button');
    await page.waitForSelector(`.chat-status:has-text("as ${name}")`);
    return page;
  };

  const listScroll = (page: Page) =>
    page.evaluate<{ fromBottom: number; scrollTop: number }>(
      "(() => { const l = document.querySelector('.chat-messages'); return { fromBottom: l.scrollHeight - l.scrollTop - l.clientHeight, scrollTop: l.scrollTop }; })()",
    );

  it('lands on the newest message, says when new ones arrive while scrolled up, and loads older ones above without covering any', async () => {
    const port = (await server.createRoom('scrolling')).body.data.port as number;
    const { client: talker } = await ChatTestClient.join(port, { name: 'Talker' });
    await say(talker, Array.from({ length: 80 }, (_, i) => `message number ${i}`));
    const page = await openJoined('scrolling', 'Scroller');
    await page.waitForSelector('.chat-text:text-is("message number 79")', { timeout: 10_000 });
    expect((await listScroll(page)).fromBottom).toBeLessThan(2);

    // Scrolled up to read: a new message does not pull the list down, a button says so.
    // Resolves once the list's own scroll handler has seen the scroll (it runs first, being added first): a message arriving sooner would still find the reader at the bottom.
    await page.evaluate("new Promise((resolve) => { const l = document.querySelector('.chat-messages'); l.addEventListener('scroll', () => requestAnimationFrame(resolve), { once: true }); l.scrollTop = 0; })");
    await page.waitForSelector('.chat-older:has-text("Load older messages")', { timeout: 10_000 });
    await say(talker, ['while you read']);
    await page.waitForSelector('.chat-new-below:has-text("1 new message")', { timeout: 10_000 });
    expect((await listScroll(page)).scrollTop).toBeLessThan(5);

    // "Load older messages" sits above the first message, in the flow: it covers nothing.
    const button = await shownState(page, '.chat-older');
    const first = await shownState(page, '.chat-message');
    expect(button.bottom).toBeLessThanOrEqual(first.top);
    await page.click('.chat-older');
    await page.waitForSelector('.chat-text:text-is("message number 0")', { timeout: 10_000 });
    // The older page came in above the lines being read, not on top of them.
    const texts = await page.locator('.chat-message .chat-text').allTextContents();
    expect(texts.indexOf('message number 0')).toBeLessThan(texts.indexOf('message number 30'));
    expect((await listScroll(page)).scrollTop).toBeGreaterThan(100);

    await page.click('.chat-new-below');
    expect((await listScroll(page)).fromBottom).toBeLessThan(2);
    expect(await page.locator('.chat-new-below').count()).toBe(0);
    talker.close();
    await page.close();
  });

  it('highlights own messages and mentions, gives each person a stable readable colour, and makes only http(s) links, safely', async () => {
    const port = (await server.createRoom('rich')).body.data.port as number;
    const { client: ann } = await ChatTestClient.join(port, { name: 'Ann' });
    const page = await openJoined('rich', 'Reader');
    await say(ann, ['first from Ann', 'hi @Reader, see https://example.org/a?b=1. and javascript:alert(1) and @Nobody']);
    await page.fill('.chat-send input', 'my own words');
    await page.press('.chat-send input', 'Enter');
    await page.waitForSelector('.chat-own .chat-text:text-is("my own words")');
    expect(await page.locator('.chat-own').count()).toBe(1);
    expect(await page.locator('.chat-message:has-text("first from Ann")').getAttribute('class')).toBe('chat-message');

    // Mentions: of me stronger than of others.
    expect(await page.locator('.chat-mention-me').allTextContents()).toEqual(['@Reader']);
    expect(await page.locator('.chat-mention:not(.chat-mention-me)').allTextContents()).toEqual(['@Nobody']);

    // Links: http(s) only, no trailing full stop, a new tab with no opener or referrer.
    const links = page.locator('.chat-messages .chat-text a');
    expect(await links.count()).toBe(1);
    expect(await links.getAttribute('href')).toBe('https://example.org/a?b=1');
    expect(await links.getAttribute('target')).toBe('_blank');
    expect(await links.getAttribute('rel')).toContain('noopener noreferrer');

    // One colour per person, the same on each message and in the people list, readable (AA) on the message's background.
    const colours = await page.evaluate<Array<{ name: string; colour: string; contrast: number }>>(`(() => {
      const rgb = (text) => text.match(/[0-9.]+/g).slice(0, 3).map(Number);
      const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const background = (node) => { for (let n = node; n; n = n.parentElement) { const c = getComputedStyle(n).backgroundColor; if (c !== 'rgba(0, 0, 0, 0)') return rgb(c); } return [255, 255, 255]; };
      return [...document.querySelectorAll('.chat-message .chat-name')].map((node) => {
        const a = lum(rgb(getComputedStyle(node).color)); const b = lum(background(node));
        return { name: node.textContent, colour: getComputedStyle(node).color, contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
      });
    })()`);
    const annColours = new Set(colours.filter((c) => c.name === 'Ann').map((c) => c.colour));
    expect(annColours.size).toBe(1);
    for (const c of colours) expect(c.contrast, c.name).toBeGreaterThanOrEqual(4.5);
    expect(await page.evaluate<string>("getComputedStyle(document.querySelector('.chat-user[data-user-id] span')).color")).toMatch(/^rgb/);
    ann.close();
    await page.close();
  });

  it('has a keyboard-usable emoji picker that puts the emoji into the message', async () => {
    await server.createRoom('emoji');
    const page = await openJoined('emoji', 'Emoji User');
    await page.fill('.chat-send input', 'nice ');
    await page.focus('.emoji-toggle');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.emoji-grid button:focus');
    expect(await page.getAttribute('.emoji-toggle', 'aria-expanded')).toBe('true');
    expect(await page.evaluate<string>("document.activeElement.getAttribute('aria-label')")).toBe('grinning face');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate<string>("document.activeElement.getAttribute('aria-label')")).toBe('thumbs down');
    await page.keyboard.press('Enter');
    expect(await page.locator('.emoji-grid').count()).toBe(0);
    expect(await page.inputValue('.chat-send input')).toBe('nice 👎');
    // Back in the message, typing goes on after the emoji.
    await page.waitForSelector('#chat-text-input:focus');
    await page.keyboard.type('!');
    expect(await page.inputValue('.chat-send input')).toBe('nice 👎!');
    // Escape closes it and gives the focus back to its button.
    await page.focus('.emoji-toggle');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.emoji-grid button:focus');
    await page.keyboard.press('Escape');
    expect(await page.locator('.emoji-grid').count()).toBe(0);
    expect(await page.evaluate<string>("document.activeElement.className")).toBe('emoji-toggle');
    await page.close();
  });

  it('announces new messages politely and sums up a burst instead of reading each one', async () => {
    const port = (await server.createRoom('announce')).body.data.port as number;
    const page = await openJoined('announce', 'Listener');
    // Every change the live region gets, recorded in the page.
    await page.evaluate(`(() => {
      window.announced = [];
      const region = document.querySelector('[aria-live="polite"]');
      new MutationObserver(() => region.textContent && window.announced.push(region.textContent)).observe(region, { childList: true, characterData: true, subtree: true });
    })()`);
    const { client: flood } = await ChatTestClient.join(port, { name: 'Flood' });
    await say(flood, Array.from({ length: 30 }, (_, i) => `burst ${i}`));
    await page.waitForSelector('.chat-text:text-is("burst 29")');
    // Within an interval (3 s) of the last announcement, the rest of the burst is summed up in one.
    const messagesIn = (text: string) => Number(/^(\d+) new messages$/.exec(text)?.[1] ?? 1);
    const total = async () => (await page.evaluate<string[]>('window.announced')).reduce((sum, text) => sum + messagesIn(text), 0);
    await expect.poll(total, { timeout: 10_000 }).toBe(30);
    const announced = await page.evaluate<string[]>('window.announced');
    expect(announced.length).toBeLessThanOrEqual(2);
    expect(announced.some((text) => /^\d+ new messages$/.test(text))).toBe(true);
    // The list itself is not a live region (it would read out every line).
    expect(await page.locator('.chat-messages[aria-live]').count()).toBe(0);
    flood.close();
    await page.close();
  });

  it('reported no page error or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
