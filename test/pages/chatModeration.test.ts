import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, recordCspViolations } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';
import { siteToken, siteTokenKey } from '../helpers/siteTokens.js';

/** Moderator tools on the watch page: shown to moderator tokens only, on each message and person, and they act. */
describe('chat panel moderator tools (Chromium)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    server = await start({ workers: 1 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const epochOf = async (room: string): Promise<number> => (await server.api('GET', `/api/v1/room/${room}`)).body.data.epoch as number;

  /** A page joined with a token minted the way a site does (test/helpers/siteTokens.ts). */
  const openAs = async (room: string, user: string, role: 'viewer' | 'moderator'): Promise<Page> => {
    const token = await siteToken(siteTokenKey(server.env.KEY!), { room, sub: user, name: user, role, epoch: await epochOf(room) });
    const page = await browser.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    await recordCspViolations(page, problems);
    await page.goto(`http://127.0.0.1:${server.port}/watch/${room}?token=${token}`);
    await page.waitForSelector(`.chat-status:has-text("as ${user}")`);
    return page;
  };

  it('shows kick, mute and ban to a moderator on others’ messages and people, never on their own, and to nobody else', async () => {
    const port = (await server.createRoom('modtools')).body.data.port as number;
    const { client: talker } = await ChatTestClient.join(port, { name: 'Talker' });
    talker.send({ type: 'message', text: 'hello moderators', ref: 1 });
    await talker.next((f) => f.ref === 1);

    const moderator = await openAs('modtools', 'mod-ann', 'moderator');
    const viewer = await openAs('modtools', 'viewer-bob', 'viewer');
    await moderator.fill('.chat-send input', 'moderator speaking');
    await moderator.press('.chat-send input', 'Enter');
    await moderator.waitForSelector('.chat-own .chat-text:text-is("moderator speaking")');

    expect(await moderator.locator('.chat-message:has-text("hello moderators") .mod-toggle').getAttribute('aria-label')).toBe('Moderate Talker');
    expect(await moderator.locator('.chat-own .mod-toggle').count()).toBe(0);
    await moderator.waitForSelector('.chat-user:has-text("viewer-bob") .mod-toggle');
    expect(await moderator.locator('.chat-user:has-text("mod-ann") .mod-toggle').count()).toBe(0);

    await viewer.waitForSelector('.chat-text:text-is("moderator speaking")');
    expect(await viewer.locator('.mod-toggle, .mod-actions').count()).toBe(0);

    // Keyboard: the menu opens from the button, Escape closes it and gives the focus back.
    await moderator.focus('.chat-message:has-text("hello moderators") .mod-toggle');
    await moderator.keyboard.press('Enter');
    await moderator.waitForSelector('.mod-actions .mod-kick');
    await moderator.keyboard.press('Escape');
    expect(await moderator.locator('.mod-actions').count()).toBe(0);
    expect(await moderator.evaluate<string>("document.activeElement?.getAttribute('aria-label') ?? ''")).toBe('Moderate Talker');
    talker.close();
    await Promise.all([moderator.close(), viewer.close()]);
  });

  it('kicks, mutes and bans from the moderator’s page: the target is told and closed as the protocol says', async () => {
    const port = (await server.createRoom('modacts')).body.data.port as number;
    const moderator = await openAs('modacts', 'mod-cat', 'moderator');

    const { client: kicked } = await ChatTestClient.join(port, { name: 'Kickme' });
    await moderator.click('.chat-user:has-text("Kickme") .mod-toggle');
    await moderator.click('.mod-actions .mod-kick');
    expect((await kicked.closed).code).toBe(4003);
    await moderator.waitForSelector('.chat-notice:has-text("Kickme was removed by a moderator")');

    const { client: muted } = await ChatTestClient.join(port, { name: 'Muteme' });
    await moderator.click('.chat-user:has-text("Muteme") .mod-toggle');
    await moderator.click('.mod-actions .mod-mute');
    expect(await muted.next((f) => f.type === 'moderation' && f.action === 'mute')).toMatchObject({ name: 'Muteme' });
    muted.send({ type: 'message', text: 'can I speak', ref: 'm' });
    expect(await muted.next((f) => f.ref === 'm')).toMatchObject({ type: 'error', code: 'MUTED' });
    await moderator.waitForSelector('.chat-notice:has-text("Muteme was muted by a moderator")');

    const banToken = await siteToken(siteTokenKey(server.env.KEY!), { room: 'modacts', sub: 'banme', name: 'Banme', epoch: await epochOf('modacts') });
    const { client: banned } = await ChatTestClient.join(port, { token: banToken });
    banned.send({ type: 'message', text: 'spam', ref: 's' });
    await moderator.waitForSelector('.chat-text:text-is("spam")');
    await moderator.click('.chat-message:has-text("spam") .mod-toggle');
    await moderator.click('.mod-actions .mod-ban');
    expect((await banned.closed).code).toBe(4004);
    const again = await ChatTestClient.connect(port);
    again.send({ type: 'join', token: banToken });
    expect(await again.next((f) => f.type === 'error')).toMatchObject({ code: 'BANNED' });
    again.close();
    muted.close();
    await moderator.close();
  });

  it('reported no page error or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
