import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, recordCspViolations } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { shownState } from '../helpers/pageLayout.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

/**
 * The chat panel against what the server does to it: the join timeout, a kick or ban, the
 * rate limit. A short join timeout and a rate limit of two messages, then one per 10 s.
 */
describe('chat panel under the server’s limits (Chromium)', () => {
  const start = serversPerFile(afterAll);
  const JOIN_TIMEOUT_MS = 1_000;
  let server: ServerProcess;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    server = await start({
      workers: 1,
      roomPortCount: 16,
      env: { CHAT_JOIN_TIMEOUT_MS: String(JOIN_TIMEOUT_MS), CHAT_RATE: '0.1', CHAT_BURST: '2' },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const newRoom = async (name: string): Promise<number> => (await server.createRoom(name)).body.data.port as number;

  const openWatch = async (room: string, query = '', beforeLoad?: (page: Page) => Promise<void>): Promise<Page> => {
    const page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    await recordCspViolations(page, problems);
    await beforeLoad?.(page);
    await page.goto(`http://127.0.0.1:${server.port}/watch/${room}${query}`);
    await page.waitForSelector('.chat-status');
    return page;
  };

  const join = async (page: Page, name: string) => {
    await page.fill('.chat-join input', name);
    await page.click('.chat-join button');
    await page.waitForSelector(`.chat-status:has-text("as ${name}")`);
  };

  /**
   * Opens a socket from the page and resolves with its close code once the server has closed it
   * for not joining. Chromium opens WebSockets to one host and port one at a time, so any socket
   * the page opened before was accepted first and has been closed by then as well.
   */
  const unjoinedSocketClosed = (page: Page, port: number) =>
    page.evaluate<number>(`new Promise((resolve) => { new WebSocket('ws://127.0.0.1:${port}/chat').onclose = (e) => resolve(e.code); })`);

  /** Joins from the page on a socket of its own; resolves once the server welcomed it. */
  const joinFromPage = (page: Page, port: number, name: string) =>
    page.evaluate<string>(`new Promise((resolve) => {
      const ws = new WebSocket('ws://127.0.0.1:${port}/chat');
      ws.onopen = () => ws.send(JSON.stringify({ type: 'join', name: ${JSON.stringify(name)} }));
      ws.onmessage = (e) => { const f = JSON.parse(e.data); if (f.type === 'welcome' || f.type === 'error') resolve(f.type); };
    })`);

  it('joins when the viewer presses Join long after the page opened (past the join timeout)', async () => {
    const port = await newRoom('late');
    const page = await openWatch('late');
    expect(await unjoinedSocketClosed(page, port)).toBe(4002);
    await join(page, 'Late Viewer');
    await page.close();
  });

  it('joins after 30 s idle on the page: no socket is opened (and closed by the server) before the Join', async () => {
    const port = await newRoom('idle');
    const opened: string[] = [];
    const page = await openWatch('idle', '', async (p) => {
      await p.clock.install();
      p.on('websocket', (ws) => opened.push(ws.url()));
    });
    await page.waitForSelector('.stream-state[data-state="offline"]');
    // 30 s of the page's own time pass (its polling and timers run); the server's join timeout is real.
    await page.clock.runFor(30_000);
    expect(await unjoinedSocketClosed(page, port)).toBe(4002);
    expect(opened).toEqual([`ws://127.0.0.1:${port}/chat`]);
    await join(page, 'Idle Viewer');
    expect(await page.locator('.chat-errors').textContent()).toBe('');
    await page.close();
  });

  it('joins on a new socket after a refused name and a pause past the join timeout', async () => {
    const port = await newRoom('retry');
    const { client: holder } = await ChatTestClient.join(port, { name: 'Taken' });
    const page = await openWatch('retry');
    await page.fill('.chat-join input', 'Taken');
    await page.click('.chat-join button');
    await page.waitForSelector('.chat-errors:has-text("Somebody in the room has this name")');
    expect(await unjoinedSocketClosed(page, port)).toBe(4002);
    await join(page, 'Someone Else');
    expect(await page.locator('.chat-errors').textContent()).toBe('');
    holder.close();
    await page.close();
  });

  it('shows the join fields until the user joins and the message fields after, never both', async () => {
    await newRoom('fields');
    const page = await openWatch('fields');
    expect(await page.locator('.chat-join').isVisible()).toBe(true);
    expect(await page.locator('.chat-send').isVisible()).toBe(false);
    await join(page, 'Field Tester');
    expect(await page.locator('.chat-join').isVisible()).toBe(false);
    expect(await page.locator('.chat-join input').isVisible()).toBe(false);
    expect(await page.locator('.chat-send').isVisible()).toBe(true);
    await page.close();
  });

  it('tells a kicked user why and does not reconnect', async () => {
    const port = await newRoom('kick');
    // The page's timers are the test's: every reconnect timer the page sets can be run at once.
    const page = await openWatch('kick', '', (p) => p.clock.install());
    await join(page, 'Kicked User');
    const { client: moderator, welcome } = await ChatTestClient.join(port, { token: await server.token('kick', 'mod', 'moderator') });
    const target = (welcome.users as Array<{ id: string; name: string }>).find((user) => user.name === 'Kicked User')!;

    moderator.send({ type: 'kick', user: target.id, reason: 'posting links', ref: 'k' });
    await moderator.next((f) => f.type === 'ok' && f.ref === 'k');
    await page.waitForSelector('.chat-notice:has-text("You were removed from the chat by a moderator: posting links")', { timeout: 10_000 });
    expect(await page.locator('.chat-status').textContent()).not.toMatch(/reconnecting/i);
    // Out of the chat: no message field, nobody listed as here.
    expect(await page.locator('.chat-send').count()).toBe(0);
    expect(await page.locator('.chat-user').count()).toBe(0);

    // Any reconnect the page scheduled runs now; then a marker joins from the page, after it.
    await page.clock.runFor(60_000);
    expect(await Promise.race([joinFromPage(page, port, 'Marker'), sleep(10_000).then(() => 'no answer to the marker')])).toBe('welcome');
    await moderator.next((f) => f.type === 'joined' && f.user.name === 'Marker');
    expect(moderator.frames.filter((f) => f.type === 'joined' && f.user.name === 'Kicked User')).toEqual([]);

    // A kicked user may come back by choice, with the name they had.
    expect(await page.locator('.chat-join').isVisible()).toBe(true);
    expect(await page.locator('.chat-join button').textContent()).toBe('Join chat again');
    await page.click('.chat-join button');
    await moderator.next((f) => f.type === 'joined' && f.user.name === 'Kicked User');
    moderator.close();
    await page.close();
  });

  it('tells a banned user why and stays out', async () => {
    const port = await newRoom('ban');
    const token = await server.token('ban', 'banned-viewer', 'viewer');
    const page = await openWatch('ban', `?token=${token}`, (p) => p.clock.install());
    await page.waitForSelector('.chat-status:has-text("as banned-viewer")');
    const { client: moderator } = await ChatTestClient.join(port, { token: await server.token('ban', 'mod', 'moderator') });

    moderator.send({ type: 'ban', user: 'banned-viewer', reason: 'abuse', ref: 'b' });
    await moderator.next((f) => f.type === 'ok' && f.ref === 'b');
    // The ban reaches the worker before the moderator's answer, and its close carries the reason.
    await page.waitForSelector('.chat-notice:has-text("You are banned from this chat: abuse")');
    await page.clock.runFor(60_000);
    expect(await joinFromPage(page, port, 'Ban Marker')).toBe('welcome');
    await moderator.next((f) => f.type === 'joined' && f.user.name === 'Ban Marker');
    expect(moderator.frames.filter((f) => f.type === 'joined' && f.user.id === 'banned-viewer')).toEqual([]);
    // Banned: neither a way to join again nor a message field.
    expect(await page.locator('.chat-join').count()).toBe(0);
    expect(await page.locator('.chat-send').count()).toBe(0);
    moderator.close();
    await page.close();
  });

  it('keeps the text of a refused message in the input and says why; an acknowledged one clears', async () => {
    const port = await newRoom('ack');
    const { client: other } = await ChatTestClient.join(port, { name: 'Reader' });
    const page = await openWatch('ack');
    await join(page, 'Fast Typist');
    // The burst is two messages: both are acknowledged and cleared, the third is refused.
    for (const text of ['first', 'second']) {
      await page.fill('.chat-send input', text);
      await page.press('.chat-send input', 'Enter');
      await other.next((f) => f.type === 'message' && f.text === text);
      await expect.poll(() => page.inputValue('.chat-send input')).toBe('');
    }
    await page.fill('.chat-send input', 'third, too fast');
    await page.press('.chat-send input', 'Enter');
    // The wait comes from the room's rate (one message per 10 s here), in plain words.
    await page.waitForSelector('.chat-errors:has-text("Not sent: Too many messages. Wait 10 s, then send again.")');
    expect(await page.inputValue('.chat-send input')).toBe('third, too fast');
    expect(await page.locator('.chat-send button[type="submit"]').isEnabled()).toBe(true);
    other.close();
    await page.close();
  });

  it('sends a message typed while disconnected once the chat is back (the room’s worker died and came back)', async () => {
    const port = await newRoom('outbox');
    // The page's timers are the test's: the reconnect runs when the test says, after the worker is back.
    const page = await openWatch('outbox', '', (p) => p.clock.install());
    await join(page, 'Outbox Writer');
    const workerPid = (await server.rooms()).find((room) => room.name === 'outbox')!.workerPid!;
    process.kill(workerPid, 'SIGKILL');
    await page.waitForSelector('.chat-panel[data-link="reconnecting"]');

    await page.fill('.chat-send input', 'typed while away');
    await page.press('.chat-send input', 'Enter');
    await page.waitForSelector('.chat-status:has-text("Your message will be sent when the chat is back")');
    // Plain words: never a close code or a signal name.
    expect(await page.locator('.chat-status').textContent()).not.toMatch(/\b1\d{3}\b|\b4\d{3}\b|SIG[A-Z]+/);
    expect(await page.inputValue('.chat-send input')).toBe('typed while away');
    expect(await page.locator('.chat-send button[type="submit"]').isDisabled()).toBe(true);

    await expect.poll(async () => (await server.rooms()).some((room) => room.name === 'outbox' && room.status === 'open' && room.workerPid !== workerPid), { timeout: 15_000 }).toBe(true);
    await page.clock.runFor(60_000);
    await page.waitForSelector('.chat-own .chat-text:text-is("typed while away")');
    await expect.poll(() => page.inputValue('.chat-send input')).toBe('');
    const { client: reader, welcome } = await ChatTestClient.join(port, { name: 'Reader' });
    expect((welcome.history as Array<{ text: string }>).filter((m) => m.text === 'typed while away')).toHaveLength(1);
    reader.close();
    await page.close();
  });

  it('sends a message again by itself when the server could not save it (NOT_PERSISTED), and it arrives once', { timeout: 40_000 }, async () => {
    const port = await newRoom('persist');
    const { client: witness } = await ChatTestClient.join(port, { name: 'Witness' });
    const page = await openWatch('persist');
    const refusals: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (frame) => typeof frame.payload === 'string' && frame.payload.includes('NOT_PERSISTED') && refusals.push(frame.payload)));
    await join(page, 'Persistent');
    // A real stall of the primary (which stores messages) past the 5 s deadline of a message sent
    // into it, as in test/e2e/persistAnswer.test.ts: the stall is measured in time.
    process.kill(server.pid, 'SIGSTOP');
    try {
      await page.fill('.chat-send input', 'saved at last');
      await page.press('.chat-send input', 'Enter');
      await sleep(6_500);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    expect(await witness.next((f) => f.type === 'message' && f.text === 'saved at last', 15_000)).toMatchObject({ name: 'Persistent' });
    await page.waitForSelector('.chat-own .chat-text:text-is("saved at last")');
    await expect.poll(() => page.inputValue('.chat-send input')).toBe('');
    expect(refusals.length).toBeGreaterThan(0);
    expect(await page.locator('.chat-text:text-is("saved at last")').count()).toBe(1);
    expect(witness.frames.filter((f) => f.type === 'message' && f.text === 'saved at last')).toHaveLength(1);
    expect(await page.locator('.chat-errors').textContent()).toBe('');
    witness.close();
    await page.close();
  });

  it('tells viewers the room closed, in those words, and does not reconnect', async () => {
    await newRoom('closing');
    const page = await openWatch('closing', '', (p) => p.clock.install());
    await join(page, 'Stayer');
    expect((await server.api('DELETE', '/api/v1/room/closing', { key: server.env.KEY })).status).toBe(200);
    await page.waitForSelector('.chat-status:has-text("This room has closed.")');
    await page.clock.runFor(60_000);
    expect(await page.locator('.chat-panel').getAttribute('data-link')).toBe('removed');
    expect(await page.locator('.chat-join').count()).toBe(0);
    expect((await shownState(page, '.chat-status')).shown).toBe(true);
    await page.close();
  });

  it('reported no page error or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
