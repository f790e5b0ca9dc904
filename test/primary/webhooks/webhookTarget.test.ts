import { describe, expect, it } from 'vitest';
import { isPrivateAddress, parseWebhookUrl, resolveWebhookTarget } from '../../../src/primary/webhooks/webhookTarget.js';

const strict = { allowPrivate: false, ownPorts: [8090] };

describe('webhook URL safety', () => {
  it('takes only absolute http(s) URLs without credentials', () => {
    for (const bad of ['', 'hooks.example.com', 'ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@example.com/', 'x'.repeat(3000), 42]) {
      expect(() => parseWebhookUrl(bad), String(bad).slice(0, 30)).toThrow(expect.objectContaining({ code: 'WEBHOOK_URL_INVALID' }));
    }
    expect(parseWebhookUrl('https://hooks.example.com/in#frag').href).toBe('https://hooks.example.com/in');
  });

  it('tells loopback, private, link-local, metadata and mapped addresses from public ones', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '::1', 'fe80::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:169.254.169.254']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(address), address).toBe(false);
  });

  it('refuses URLs that resolve to such addresses unless private ones are allowed, and this server API ports always', async () => {
    for (const url of ['http://127.0.0.1:9000/', 'http://[::1]:9000/', 'http://169.254.169.254/latest/meta-data', 'http://10.0.0.8/', 'http://localhost:9000/', 'http://[::ffff:7f00:1]/']) {
      await expect(resolveWebhookTarget(url, strict), url).rejects.toMatchObject({ code: 'WEBHOOK_URL_FORBIDDEN' });
    }
    await expect(resolveWebhookTarget('http://127.0.0.1:9000/', { allowPrivate: true, ownPorts: [8090] })).resolves.toMatchObject({ address: '127.0.0.1', family: 4 });
    // This server's API in every spelling that reaches it: "this host", IPv6 any, IPv4-mapped forms.
    for (const url of ['http://127.0.0.1:8090/', 'http://0.0.0.0:8090/', 'http://[::]:8090/', 'http://[::ffff:127.0.0.1]:8090/', 'http://[::1]:8090/', 'http://127.1.2.3:8090/']) {
      await expect(resolveWebhookTarget(url, { allowPrivate: true, ownPorts: [8090] }), url).rejects.toMatchObject({ code: 'WEBHOOK_URL_FORBIDDEN' });
    }
    await expect(resolveWebhookTarget('http://no-such-host.invalid/', strict)).rejects.toMatchObject({ code: 'WEBHOOK_URL_UNRESOLVED' });
    await expect(resolveWebhookTarget('https://93.184.216.34/hooks', strict)).resolves.toMatchObject({ address: '93.184.216.34' });
  });
});
