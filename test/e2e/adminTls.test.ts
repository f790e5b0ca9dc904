import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../helpers/ServerProcess.js';
import { selfSignedCert } from '../helpers/tls.js';

function httpsGet(port: number, ca: string, key?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      { host: '127.0.0.1', port, path: '/api/v1/', ca, servername: 'localhost', headers: key ? { 'x-api-key': key } : {} },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
  });
}

describe('admin API over TLS (TLS_CERT / TLS_KEY)', () => {
  let server: ServerProcess;
  let dir: string;
  let cert: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tls-'));
    const made = selfSignedCert(dir);
    cert = made.cert;
    server = await ServerProcess.start({ workers: 1, env: { TLS_CERT: made.certPath, TLS_KEY: made.keyPath } });
  });
  afterAll(async () => {
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('speaks https on the admin port with the given certificate', async () => {
    const answer = await httpsGet(server.adminPort, cert, 'ADMIN_TESTING_KEY');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { app: 'Admin chatserver', version: '1.0.0' } });
    expect((await httpsGet(server.adminPort, cert)).status).toBe(401);
  });

  it('keeps the public API on plain http', async () => {
    expect((await server.api('GET', '/api/v1/')).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${server.adminPort}/api/v1/`)).rejects.toThrow();
  });
});
