import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { sampleMedia } from '../helpers/media.js';
import { IngestSocket } from '../helpers/producer.js';
import { roomAnswer, serversPerTest } from '../helpers/ServerProcess.js';

const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

describe('operator switches on the admin API', () => {
  const start = serversPerTest(afterEach);

  it('drains (503 on /health and on new rooms, existing rooms still answer) and resumes', async () => {
    const server = await start({ workers: 1 });
    await server.createRoom('kept');
    const admin = (body: unknown) => server.api('POST', '/api/v1/server/accepting', { admin: true, key: server.env.ADMIN_KEY, ...json(body) });
    expect((await admin({ accepting: 'no' })).status).toBe(400);
    expect((await admin({ accepting: false, extra: 1 })).status).toBe(400);
    expect((await admin({ accepting: false })).body).toEqual({ data: { accepting: false } });
    const health = await server.api('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.data.status).toBe('draining');
    expect((await server.createRoom('refused')).status).toBe(503);
    expect((await server.createRoom('refused')).body.error.code).toBe('NOT_ACCEPTING');
    expect((await server.createRoom('kept')).status).toBe(200);
    expect((await admin({ accepting: true })).status).toBe(200);
    expect((await server.api('GET', '/health')).status).toBe(200);
    expect((await server.createRoom('refused')).status).toBe(201);
  });

  it('changes the log level at run time in the primary and every worker', async () => {
    const server = await start({ workers: 2 });
    const level = (value: string) => server.api('PUT', '/api/v1/server/log-level', { admin: true, key: server.env.ADMIN_KEY, ...json({ level: value }) });
    expect((await level('loud')).status).toBe(400);
    expect((await level('debug')).body).toEqual({ data: { level: 'debug', workers: 2 } });
    expect((await server.admin('GET', '/api/v1/server/log-level')).body).toEqual({ data: { level: 'debug' } });
    const since = server.logs.length;
    await server.admin('PATCH', '/api/v1/settings', { welcomeText: 'hello' });
    // A worker logs each cache change it applies at debug level: seen now, from both workers (the
    // log level is what this test is about, so its lines are the behaviour).
    await server.waitForLog((line) => line.msg === 'cache update applied' && line.worker === 0, 5_000, since);
    await server.waitForLog((line) => line.msg === 'cache update applied' && line.worker === 1, 5_000, since);
    expect((await level('info')).status).toBe(200);
  });

  it('restarts the workers one at a time with every room back on its port', async () => {
    const server = await start({ workers: 2, roomPortCount: 8 });
    const ports: Record<string, number> = {};
    for (const name of ['r1', 'r2', 'r3', 'r4']) ports[name] = (await server.createRoom(name)).body.data.port;
    const before = (await server.admin('GET', '/api/v1/stats')).body.data.workers.map((w: { pid: number }) => w.pid);
    const { client } = await ChatTestClient.join(ports.r1!, { name: 'stays' });
    client.send({ type: 'message', text: 'before the restart', ref: 1 });
    await client.next((f) => f.ref === 1);
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));

    const restart = await server.admin('POST', '/api/v1/server/restart');
    expect(restart.status).toBe(200);
    expect(restart.body.data).toMatchObject({ workers: 2, rooms: 4, notBack: [] });
    expect(await closed).toBe(1001);
    for (const [name, port] of Object.entries(ports)) expect(await roomAnswer(port)).toBe(name);
    const stats = (await server.admin('GET', '/api/v1/stats')).body.data;
    const after = stats.workers.map((w: { pid: number }) => w.pid);
    expect(after.every((pid: number) => !before.includes(pid))).toBe(true);
    expect(stats.workers.map((w: { restarts: number }) => w.restarts)).toEqual([0, 0]);
    const again = await ChatTestClient.join(ports.r1!, { name: 'stays' });
    expect(again.welcome.history.map((m: { text: string }) => m.text)).toContain('before the restart');
    again.client.close();
  }, 30_000);

  it('shuts down gracefully when asked: clients told, stream ended, messages flushed, exit code 0', async () => {
    const server = await start({ workers: 1, env: { CHAT_RATE: '1000', CHAT_BURST: '1000' } });
    const port = (await server.createRoom('last')).body.data.port;
    const { client } = await ChatTestClient.join(port, { name: 'last' });
    const producer = await IngestSocket.live(port, await server.token('last', 'cam', 'producer'), await sampleMedia('webm-vp8-opus', 2));
    for (let i = 0; i < 20; i++) client.send({ type: 'message', text: `final ${i}`, ref: i });
    expect(await client.next((f) => f.ref === 19)).toMatchObject({ type: 'message' });

    const answer = await server.admin('POST', '/api/v1/server/shutdown');
    expect(answer.status).toBe(202);
    expect(await client.next((f) => f.type === 'closed')).toBeTruthy();
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect((await producer.closed).code).toBe(1001);
    // The broadcast's recording was finished before the exit: its VOD playlist ends with ENDLIST.
    const [recording, ...others] = readdirSync(path.join(server.dataDir, 'recordings', 'last'));
    expect(others).toEqual([]);
    const playlist = readFileSync(path.join(server.dataDir, 'recordings', 'last', recording!, 'index.m3u8'), 'utf8');
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(playlist.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);

    // Every acknowledged message reached the store before the exit.
    const again = await start({ workers: 1, dataDir: server.dataDir, ports: server.ports });
    const { welcome } = await ChatTestClient.join(port, { name: 'back' });
    expect(welcome.history.map((m: { text: string }) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `final ${i}`));
    expect(again.pid).not.toBe(server.pid);
  }, 30_000);
});
