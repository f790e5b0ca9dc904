import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serversPerFile, type ServerProcess } from '../helpers/ServerProcess.js';
import { httpsGet, selfSignedCert } from '../helpers/tls.js';

describe('admin API over TLS (TLS_CERT / TLS_KEY)', () => {
  const start = serversPerFile(afterAll);
  let server: ServerProcess;
  let dir: string;
  let cert: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tls-'));
    const made = selfSignedCert(dir);
    cert = made.cert;
    server = await start({ workers: 1, env: { TLS_CERT: made.certPath, TLS_KEY: made.keyPath } });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks https on the admin port with the given certificate', async () => {
    const answer = await httpsGet(server.adminPort, '/api/v1/', cert, { 'x-api-key': 'ADMIN_TESTING_KEY' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { app: 'Admin chatserver', version: '1.0.0' } });
    expect((await httpsGet(server.adminPort, '/api/v1/', cert)).status).toBe(401);
  });

  it('keeps the public API on plain http', async () => {
    expect((await server.api('GET', '/api/v1/')).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${server.adminPort}/api/v1/`)).rejects.toThrow();
  });
});
