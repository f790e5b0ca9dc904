import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthHook } from '../../src/authhook/AuthHook.js';
import type { HookRequest } from '../../src/authhook/hookAnswer.js';
import { createLogger } from '../../src/kit/createLogger.js';
import { newWebhookSecret } from '../../src/kit/standardWebhooks.js';
import { HookServer } from '../helpers/hookServer.js';

const SECRET = newWebhookSecret();

/** The hook against a real hook server: an answer overtaken by an end of the user's sessions is not used. */
describe('AuthHook and ended sessions', () => {
  let hook: HookServer;
  const credit = new Set<string>();

  beforeAll(async () => {
    hook = await HookServer.start(SECRET);
    hook.reply = (body) => (credit.has(String(body.user)) ? { status: 200, delayMs: 300 } : { status: 403, body: { reason: 'No credit left' } });
  });
  afterAll(async () => {
    await hook?.close();
  });

  const authHook = () =>
    new AuthHook({ url: hook.url, secret: SECRET, timeoutMs: 5_000, failure: 'deny', cacheMs: 30_000, denyCacheMs: 2_000 }, createLogger('silent'), {
      authHookCalls: 0,
      authHookCached: 0,
      authHookDenied: 0,
      authHookFailures: 0,
    });
  const join = (user: string): HookRequest => ({ action: 'join', room: 'lobby', user, role: 'viewer', name: user, anonymous: false, ip: '127.0.0.1', protocol: 'chat' });

  it('asks again when the sessions are ended while it asks, also for a user whose sessions were ended before', async () => {
    const subject = authHook();
    for (const user of ['fresh', 'again']) {
      credit.add(user);
      // `again` had its sessions ended once already: the second end must count too.
      if (user === 'again') subject.forget(user);
      const asking = subject.check(join(user));
      await vi.waitFor(() => expect(hook.callsFor('lobby', user)).toHaveLength(1));
      credit.delete(user);
      subject.forget(user);
      expect(await asking).toMatchObject({ allow: false, code: 'HOOK_DENIED', reason: 'No credit left' });
      expect(hook.callsFor('lobby', user)).toHaveLength(2);
      // Not cached as an allow: the next check is the (cached) deny.
      expect((await subject.check(join(user))).allow).toBe(false);
    }
  });
});
