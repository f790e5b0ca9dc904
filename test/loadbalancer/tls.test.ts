import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { ServerProcess } from '../helpers/ServerProcess.js';
import { selfSignedCert } from '../helpers/tls.js';

/** The original deployment's LBs spoke https; a chat server trusts their CA through NODE_EXTRA_CA_CERTS. */
describe('load balancer over https', () => {
  let dir: string;
  let lb: ServerProcess;
  let lbPort: number;
  let certPath: string;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lb-tls-'));
    const made = selfSignedCert(dir);
    certPath = made.certPath;
    lbPort = await freePort();
    lb = await ServerProcess.startLoadBalancer(lbPort, { TLS_CERT: made.certPath, TLS_KEY: made.keyPath, HEARTBEAT_MS: '300', DROP_AFTER_MS: '20000' });
  });
  afterAll(async () => {
    for (const server of servers) await server.dispose();
    await lb?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers a chat server that trusts the CA file, and not one that does not', async () => {
    const env = { LOADBALANCERS: `https://127.0.0.1:${lbPort}`, LOADBALANCER_KEY: 'LB_TESTING_KEY' };
    const trusting = await ServerProcess.start({ workers: 1, env: { ...env, NODE_EXTRA_CA_CERTS: certPath } });
    servers.push(trusting);
    await trusting.waitForLog((line) => line.msg === 'registered with load balancer', 10_000);
    const untrusting = await ServerProcess.start({ workers: 1, env });
    servers.push(untrusting);
    const refused = await untrusting.waitForLog((line) => line.msg === 'load balancer unreachable; will keep retrying', 10_000);
    expect(JSON.stringify(refused.err)).toMatch(/certificate/i);
    expect(untrusting.logs.some((line) => line.msg === 'registered with load balancer')).toBe(false);
  });
});
