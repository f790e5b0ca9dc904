import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from '../helpers/axe.js';
import { inlineScriptRuns, launchChromium, recordCspViolations } from '../helpers/browser.js';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { livePush } from '../helpers/media.js';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';

const PHONE = { width: 390, height: 844 };

describe('admin console (Chromium, admin port)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let browser: Browser;
  const ports: Record<string, number> = {};
  const problems: string[] = [];
  const clients: ChatTestClient[] = [];

  beforeAll(async () => {
    // A crowd of anonymous users from one address fills a room past what the user list shows.
    server = await start({ workers: 2, env: { STREAM_RESUME_SECONDS: '0', MAX_CONNECTIONS_PER_IP: '1000' } });
    for (const name of ['alpha', 'beta', 'gamma']) ports[name] = (await server.createRoom(name)).body.data.port;
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const client of clients) client.ws.terminate();
    await browser?.close();
  });

  const signedIn = async (key: string, viewport?: { width: number; height: number }): Promise<Page> => {
    const page = await browser.newPage();
    if (viewport) await page.setViewportSize(viewport);
    page.on('pageerror', (error) => problems.push(error.message));
    await recordCspViolations(page, problems);
    await page.goto(`http://127.0.0.1:${server.adminPort}/admin`);
    await page.fill('#key', key);
    await page.click('#sign-in button');
    return page;
  };
  const console_ = async (viewport?: { width: number; height: number }) => {
    const page = await signedIn(server.env.ADMIN_KEY!, viewport);
    await page.waitForSelector('tr[data-room="alpha"]');
    return page;
  };
  const row = (page: Page, room: string) => page.locator(`tr[data-room="${room}"]`);
  const join = async (room: string, join: { token?: string; name?: string }) => {
    const joined = await ChatTestClient.join(ports[room]!, join);
    clients.push(joined.client);
    return joined;
  };
  const openUsers = async (page: Page, room: string) => {
    await row(page, room).locator('.room-users').click();
    return page.locator(`tr[data-users-for="${room}"]`);
  };

  it('is served without the key, and a wrong key is refused', async () => {
    expect((await fetch(`http://127.0.0.1:${server.adminPort}/admin`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${server.adminPort}/api/v1/rooms`)).status).toBe(401);
    const page = await signedIn('wrong key');
    await page.waitForSelector('#problem:has-text("refused")');
    expect(await page.locator('#console').count()).toBe(0);
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    await page.close();
  });

  it('lists the rooms with their worker slot and publish URLs, and messages one room and every room', async () => {
    const { client: ann } = await join('alpha', { name: 'Ann' });
    const page = await console_();
    expect(await row(page, 'beta').count()).toBe(1);
    expect(await row(page, 'alpha').locator('.cell-port').textContent()).toBe(String(ports.alpha));
    // The worker slot, not a pid.
    const rooms = (await server.admin('GET', '/api/v1/rooms')).body.data as Array<{ name: string; worker: number; workerPid: number }>;
    const alpha = rooms.find((room) => room.name === 'alpha')!;
    expect(await row(page, 'alpha').locator('.cell-worker').textContent()).toBe(`#${alpha.worker}`);
    expect(await row(page, 'alpha').locator('.cell-worker').textContent()).not.toContain(String(alpha.workerPid));
    await row(page, 'alpha').locator('.cell-publish summary').click();
    expect(await row(page, 'alpha').locator('.publish-rtmp').textContent()).toBe(`rtmp://127.0.0.1:${ports.alpha}/live`);
    expect(await row(page, 'alpha').locator('.publish-whip').textContent()).toBe(`http://127.0.0.1:${ports.alpha}/whip`);

    await row(page, 'alpha').locator('.room-message').fill('maintenance at noon');
    await row(page, 'alpha').locator('.room-send').click();
    expect(await ann.next((f) => f.type === 'system')).toMatchObject({ text: 'maintenance at noon' });
    await page.fill('#broadcast-text', 'to everyone');
    await page.click('#broadcast button');
    expect(await ann.next((f) => f.type === 'system')).toMatchObject({ text: 'to everyone' });
    await page.waitForSelector('#done:has-text("rooms")');
    await page.close();
  });

  it('kicks, mutes and bans from a room\'s user list, and lifts the ban', async () => {
    const kickMe = await join('alpha', { token: await server.token('alpha', 'kickme') });
    const muteMe = await join('alpha', { token: await server.token('alpha', 'muteme') });
    const banMe = await join('alpha', { token: await server.token('alpha', 'banme') });
    const page = await console_();
    const users = await openUsers(page, 'alpha');
    expect(await row(page, 'alpha').locator('.room-users').getAttribute('aria-expanded')).toBe('true');
    const user = (id: string) => users.locator(`li[data-user="${id}"]`);
    await user('kickme').waitFor();

    await user('kickme').locator('.user-kick').click();
    expect((await kickMe.client.closed).code).toBe(4003);
    await user('kickme').waitFor({ state: 'detached' });

    await user('muteme').locator('.user-mute').click();
    await user('muteme').locator('.user-muted').waitFor();
    muteMe.client.send({ type: 'message', text: 'can I talk?', ref: 'm' });
    expect(await muteMe.client.next((f) => f.type === 'error' && f.ref === 'm')).toMatchObject({ code: 'MUTED' });

    // A ban asks first; Cancel bans nobody.
    await user('banme').locator('.user-ban').click();
    await user('banme').locator('.confirm-no').click();
    expect(((await server.admin('GET', '/api/v1/bans')).body.data as unknown[]).length).toBe(0);
    await user('banme').locator('.user-ban').click();
    await user('banme').locator('.confirm-yes').click();
    expect((await banMe.client.closed).code).toBe(4004);
    const ban = page.locator('#bans tr[data-user="banme"]');
    await ban.waitFor();
    expect(await ban.locator('td').first().textContent()).toBe('alpha');
    expect(((await server.admin('GET', '/api/v1/bans')).body.data as Array<{ user: string; room: string }>)).toMatchObject([{ user: 'banme', room: 'alpha' }]);

    await ban.locator('.ban-lift').click();
    await ban.locator('.confirm-yes').click();
    await ban.waitFor({ state: 'detached' });
    expect((await server.admin('GET', '/api/v1/bans')).body.data).toEqual([]);
    // Lifted: the user joins again.
    await join('alpha', { token: await server.token('alpha', 'banme') });

    // A ban added by hand, for every room.
    await page.fill('#ban-user', 'troll');
    await page.fill('#ban-reason', 'spam');
    await page.click('#ban-form button[type="submit"]');
    await page.locator('#bans tr[data-user="troll"] td:text-is("every room")').waitFor();
    expect(((await server.admin('GET', '/api/v1/bans')).body.data as Array<Record<string, unknown>>)).toMatchObject([{ user: 'troll', room: null, reason: 'spam' }]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('bans an anonymous user from the list, their address too: a new anonymous id does not get them back in', async () => {
    const lurker = await join('alpha', { name: 'Lurker' });
    const id = lurker.welcome.you.id as string;
    const page = await console_();
    const user = (await openUsers(page, 'alpha')).locator(`li[data-user="${id}"]`);
    await user.locator('.user-ban').click();
    await user.locator('.confirm-yes').click();
    expect((await lurker.client.closed).code).toBe(4004);
    await page.waitForSelector(`#done:has-text("Banned Lurker (${id}) from alpha")`);
    const again = await ChatTestClient.connect(ports.alpha!);
    clients.push(again);
    again.send({ type: 'join', name: 'Someone Else' });
    expect(await again.next()).toMatchObject({ type: 'error', code: 'BANNED', reason: 'your network address is banned here (banned by an operator)' });
    expect(await page.locator('#done').textContent()).toContain('(and their address)');
    await page.locator('#bans tr[data-user="ip:127.0.0.1"]').waitFor();
    await page.locator(`#bans tr[data-user="${id}"]`).waitFor();

    // Lifted, so the tests after this one join alpha anonymously again.
    for (const ban of (await server.admin('GET', '/api/v1/bans')).body.data as Array<{ id: string }>) await server.admin('DELETE', `/api/v1/bans/${ban.id}`);
    await join('alpha', { name: 'Back Again' });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows how many are in a room bigger than the list, and searches it by name or id', async () => {
    const port = (await server.createRoom('crowd')).body.data.port as number;
    const crowd: ChatTestClient[] = [];
    for (let i = 0; i < 205; i++) crowd.push((await ChatTestClient.join(port, { name: `Crowd ${i}` })).client);
    try {
      for (const viewport of [undefined, PHONE]) {
        const page = await console_(viewport);
        const users = await openUsers(page, 'crowd');
        await users.locator('.users-count:text-is("200 of 205, search to narrow")').waitFor();
        expect(await users.locator('li.room-user-item').count()).toBe(200);
        expect(await seriousAxeViolations(page), `a big room's users, ${viewport ? 'phone' : 'desktop'}`).toEqual([]);
        await users.locator('.users-search').fill('crowd 19');
        await users.locator('.users-count').waitFor({ state: 'detached' });
        await expect.poll(async () => users.locator('li.room-user-item').count()).toBe(11);
        await users.locator('.users-search').fill('nobody by that name');
        await users.locator('.users-none:text-is("Nobody here matches the search.")').waitFor();
        await page.close();
      }
      expect(problems).toEqual([]);
    } finally {
      for (const client of crowd) client.ws.terminate();
      await server.admin('DELETE', '/api/v1/room/crowd');
    }
  }, 60_000);

  it('stops a live stream after asking, and charts connections and live streams from /metrics', async () => {
    const push = await livePush(ports.gamma!, await server.token('gamma', 'host', 'producer'), 60);
    const answer = push.answer.catch(() => ({ status: 0, body: '' }));
    const page = await console_();
    await row(page, 'gamma').locator('.cell-live:has-text("LIVE")').waitFor({ timeout: 20_000 });
    await expect.poll(async () => page.locator('#figure-live .figure-value').textContent(), { timeout: 15_000 }).toBe('1');
    expect(await page.locator('#figure-connections svg').getAttribute('aria-label')).toMatch(/^Chat connections: \d+ now/);
    // Messages per second: the rise of the messages counter between two readings.
    const { client: talker } = await join('gamma', { name: 'Talker' });
    for (let i = 0; i < 5; i++) talker.send({ type: 'message', text: `hello ${i}`, ref: i });
    await talker.next((f) => f.type === 'message' && f.ref === 4);
    await expect.poll(async () => Number(await page.locator('#figure-messages .figure-value').getAttribute('data-value')), { timeout: 15_000 }).toBeGreaterThan(0);

    await row(page, 'gamma').locator('.room-stop').click();
    await row(page, 'gamma').locator('.stop-reason').fill('off-topic');
    await row(page, 'gamma').locator('.confirm-yes').click();
    await page.waitForSelector('#done:has-text("Stopped host\'s stream in gamma")');
    const stopped = await answer;
    expect(stopped.status).toBe(403);
    // The producer is told the operator's reason.
    expect(stopped.body).toContain('off-topic');
    await row(page, 'gamma').locator('.room-stop[disabled]').waitFor();
    await page.close();
  }, 60_000);

  it('changes a setting, the log level, drains and resumes', async () => {
    const page = await console_();
    await page.fill('#welcome-text', 'Be kind');
    await page.fill('#chat-rate', '2');
    await page.click('#settings-form button[type="submit"]');
    await page.waitForSelector('#done:has-text("Settings saved")');
    expect((await server.admin('GET', '/api/v1/settings')).body.data).toMatchObject({ welcomeText: 'Be kind', chatRate: 2, chatBurst: null });
    expect((await join('beta', { name: 'Newcomer' })).welcome.welcomeText).toBe('Be kind');

    await page.selectOption('#log-level', 'debug');
    await page.click('#log-level-apply');
    await page.waitForSelector('#log-level-now:has-text("now: debug")');
    expect((await server.admin('GET', '/api/v1/server/log-level')).body.data.level).toBe('debug');

    await page.click('#drain');
    await page.waitForSelector('#server-state:has-text("DRAINING")');
    expect((await server.api('GET', '/health')).status).toBe(503);
    await page.click('#drain');
    await page.waitForSelector('#server-state:has-text("accepting")');
    expect((await server.api('GET', '/health')).status).toBe(200);
    await page.close();
  });

  it('closes a room after asking', async () => {
    const page = await console_();
    await row(page, 'beta').locator('.room-close').click();
    await row(page, 'beta').locator('.confirm-yes').click();
    await page.waitForSelector('tr[data-room="beta"]', { state: 'detached' });
    expect((await server.api('GET', '/api/v1/room/beta')).status).toBe(404);
    expect(problems).toEqual([]);
    expect(await inlineScriptRuns(page)).toBe(false);
    await page.close();
  });

  it('shows only the console after a sign-in that follows a refused key', async () => {
    const page = await signedIn('wrong key');
    await page.waitForSelector('#problem:has-text("refused")');
    await page.fill('#key', server.env.ADMIN_KEY!);
    await page.click('#sign-in button');
    await page.waitForSelector('tr[data-room="alpha"]');
    expect(await page.locator('#sign-in').count()).toBe(0);
    expect(await page.locator('#problem').isVisible()).toBe(false);
    expect(await page.locator('#console').isVisible()).toBe(true);
    await page.close();
  });

  it('has no serious accessibility violations, signed out and signed in, desktop and phone', async () => {
    await join('alpha', { name: 'Present' });
    for (const viewport of [undefined, PHONE]) {
      const name = viewport ? 'phone' : 'desktop';
      const page = await browser.newPage();
      if (viewport) await page.setViewportSize(viewport);
      await page.goto(`http://127.0.0.1:${server.adminPort}/admin`);
      await page.waitForSelector('#sign-in');
      expect(await seriousAxeViolations(page), `signed out, ${name}`).toEqual([]);
      await page.fill('#key', server.env.ADMIN_KEY!);
      await page.click('#sign-in button');
      await page.waitForSelector('tr[data-room="alpha"]');
      await openUsers(page, 'alpha');
      await page.locator('tr[data-users-for="alpha"] li').first().waitFor();
      await page.locator('#settings-form').waitFor();
      expect(await seriousAxeViolations(page), `signed in, ${name}`).toEqual([]);
      // Nothing widens the page past a phone's screen: the wide tables scroll in their own region.
      if (viewport) expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(PHONE.width);
      await page.close();
    }
  });

  it('works with the keyboard alone: sign in, and a confirmation that takes the focus and gives it back', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.adminPort}/admin`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('key');
    await page.keyboard.type(server.env.ADMIN_KEY!);
    await page.keyboard.press('Enter');
    await page.waitForSelector('tr[data-room="alpha"]');
    const close = row(page, 'alpha').locator('.room-close');
    await close.focus();
    await page.keyboard.press('Enter');
    // The question takes the focus to its confirming button; Escape goes back to the first button.
    await row(page, 'alpha').locator('.confirm-yes:focus').waitFor();
    await page.keyboard.press('Escape');
    await row(page, 'alpha').locator('.room-close:focus').waitFor();
    expect((await server.api('GET', '/api/v1/room/alpha')).status).toBe(200);
    await page.close();
  });

  it('restarts the workers one at a time, and asks before shutting down (then shuts down)', async () => {
    const page = await console_();
    await page.click('#restart');
    await page.click('#server-section .confirm-yes');
    await page.waitForSelector('#done:has-text("Rolling restart done: 2 workers")', { timeout: 60_000 });
    expect(await page.locator('#restart').isEnabled()).toBe(true);

    await page.click('#shutdown');
    expect(await page.locator('#server-section .confirm-question').textContent()).toContain('Shut the server down?');
    await page.click('#server-section .confirm-no');
    expect((await server.api('GET', '/health')).status).toBe(200);
    await page.click('#shutdown');
    await page.click('#server-section .confirm-yes');
    await page.waitForSelector('#done:has-text("shutting down")');
    expect((await server.exited).code).toBe(0);
    await page.close();
  }, 90_000);
});
