import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../helpers/ServerProcess.js';
import { httpsGet, selfSignedCert } from '../helpers/tls.js';

/** The original deployment's LBs spoke https; a chat server trusts their CA through NODE_EXTRA_CA_CERTS. */
describe('load balancer over https', () => {
  let dir: string;
  let lb: ServerProcess;
  let lbPort: number;
  let certPath: string;
  let cert: string;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lb-tls-'));
    const made = selfSignedCert(dir);
    certPath = made.certPath;
    cert = made.cert;
    lb = await ServerProcess.startLoadBalancer(0, { TLS_CERT: made.certPath, TLS_KEY: made.keyPath, HEARTBEAT_MS: '300', DROP_AFTER_MS: '20000' });
    lbPort = lb.port;
  });
  afterAll(async () => {
    for (const server of servers) await server.dispose();
    await lb?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers a chat server that trusts the CA file, and not one that does not', async () => {
    const env = { LOADBALANCERS: `https://127.0.0.1:${lbPort}`, LOADBALANCER_KEY: 'LB_TESTING_KEY' };
    const registered = async (server: ServerProcess) => {
      const listed = JSON.parse((await httpsGet(lbPort, '/api/v1/servers', cert)).body).data as Array<{ url: string }>;
      return listed.some((entry) => entry.url === `http://127.0.0.1:${server.port}`);
    };
    const trusting = await ServerProcess.start({ workers: 1, env: { ...env, NODE_EXTRA_CA_CERTS: certPath } });
    servers.push(trusting);
    await expect.poll(() => registered(trusting), { timeout: 10_000 }).toBe(true);
    const untrusting = await ServerProcess.start({ workers: 1, env });
    servers.push(untrusting);
    // Why it cannot register shows nowhere but in its log: the line an operator reads to fix it.
    const refused = await untrusting.waitForLog((line) => line.msg === 'load balancer unreachable; will keep retrying', 10_000);
    expect(JSON.stringify(refused.err)).toMatch(/certificate/i);
    expect(await registered(untrusting)).toBe(false);
  });
});
