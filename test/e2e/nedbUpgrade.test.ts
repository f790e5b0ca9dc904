import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { freePort, freePortRange } from '../helpers/ports.js';
import { ROOT, serversPerTest } from '../helpers/ServerProcess.js';

describe('upgrading a DATA_DIR that holds the previous version\'s NeDB files (real processes)', () => {
  const start = serversPerTest(afterEach);
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('serves the imported rooms on their ports, with their history', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'nedb-upgrade-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cpSync(path.join(ROOT, 'test/fixtures/nedb-data'), dataDir, { recursive: true });
    // The fixture's rooms hold ports 34000 and 34003: moved into this test's free range, as an
    // operator would keep ROOM_PORTS covering the stored rooms.
    const range = await freePortRange(8);
    const [lobbyPort, stagePort] = [range.first, range.first + 3];
    const rooms = path.join(dataDir, 'rooms.db');
    writeFileSync(rooms, readFileSync(rooms, 'utf8').replaceAll('"port":34000', `"port":${lobbyPort}`).replaceAll('"port":34003', `"port":${stagePort}`));

    const server = await start({ workers: 1, dataDir, ports: { port: await freePort(), adminPort: await freePort(), roomPorts: range.env } });
    const imported = await server.waitForLog((line) => line.msg === "imported the previous version's NeDB files");
    expect(imported).toMatchObject({ component: 'store', rooms: 2, messages: 120, bans: 2, settings: 1, revocations: 1, skipped: 0 });
    expect(existsSync(path.join(dataDir, 'messages.db.imported'))).toBe(true);

    const listed = await server.admin('GET', '/api/v1/rooms');
    expect((listed.body.data as Array<{ name: string; port: number; status: string }>).map(({ name, port, status }) => ({ name, port, status }))).toEqual([
      { name: 'lobby', port: lobbyPort, status: 'open' },
      { name: 'stage', port: stagePort, status: 'open' },
    ]);

    const { client, welcome } = await ChatTestClient.join(lobbyPort, { name: 'Reader' });
    cleanups.push(() => client.close());
    // The imported settings (historySize 80, the welcome text); lobby holds 80 of the 120 messages.
    expect(welcome.welcomeText).toBe('Welcome!');
    expect(welcome.history).toHaveLength(80);
    expect(welcome.history[0]).toMatchObject({ id: '0mh0001aaaa', user: 'u1', text: 'message 1 with "quotes" and ünïcode ✓' });
    expect(welcome.history[79]).toMatchObject({ id: '0mh0119aaaa', text: 'message 119 with "quotes" and ünïcode ✓' });
  });
});
