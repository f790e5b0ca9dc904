import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { ROOT, serversPerTest } from '../helpers/ServerProcess.js';

describe('upgrading a DATA_DIR that holds the previous version\'s NeDB files (real processes)', () => {
  const start = serversPerTest(afterEach);
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('serves the imported rooms on their ports, with their history', async () => {
    const server = await start({
      workers: 1,
      roomPortCount: 8,
      seed: (dataDir, range) => {
        cpSync(path.join(ROOT, 'test/fixtures/nedb-data'), dataDir, { recursive: true });
        // The fixture's rooms hold ports 34000 and 34003: moved into this test's range, as an
        // operator would keep ROOM_PORTS covering the stored rooms.
        const rooms = path.join(dataDir, 'rooms.db');
        writeFileSync(rooms, readFileSync(rooms, 'utf8').replaceAll('"port":34000', `"port":${range.first}`).replaceAll('"port":34003', `"port":${range.first + 3}`));
      },
    });
    const { dataDir } = server;
    const [lobbyPort, stagePort] = [server.roomPorts.first, server.roomPorts.first + 3];
    // The import's report is the line docs/operations.md promises (what it imported is checked through the API below).
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
