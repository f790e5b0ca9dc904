import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTestClient } from '../helpers/ChatTestClient.js';
import { ServerProcess } from '../helpers/ServerProcess.js';

const MONGODB_URI = process.env.MONGODB_URI;

/** `mongodb://host:port/...` with one host; SRV and replica-set lists cannot go through one proxy. */
function singleHost(uri: string | undefined): URL | null {
  if (!uri?.startsWith('mongodb://')) return null;
  try {
    const url = new URL(uri);
    return url.hostname && !url.host.includes(',') ? url : null;
  } catch {
    return null;
  }
}

const target = singleHost(MONGODB_URI);

/** A TCP proxy to MongoDB that the test can cut (every connection dropped, new ones refused) and restore. */
class CuttableProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #cut = false;

  constructor(host: string, port: number) {
    this.#server = net.createServer((client) => {
      if (this.#cut) {
        client.destroy();
        return;
      }
      const upstream = net.connect(port, host);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as net.AddressInfo).port;
  }

  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Runs only where MONGODB_URI names a single MongoDB server (see README: Store). */
describe.skipIf(!target)('MongoDB outage through a TCP proxy (MONGODB_URI)', () => {
  let proxy: CuttableProxy;
  let server: ServerProcess;
  let database: string;

  beforeAll(async () => {
    proxy = new CuttableProxy(target!.hostname, Number(target!.port || 27017));
    const proxyPort = await proxy.listen();
    database = `chatserver_outage_${process.pid}_${Date.now()}`;
    const uri = new URL(target!.href);
    uri.host = `127.0.0.1:${proxyPort}`;
    uri.pathname = `/${database}`;
    server = await ServerProcess.start({ workers: 1, env: { MONGODB_URI: uri.href, CHAT_RATE: '1000', CHAT_BURST: '1000' } });
  }, 30_000);
  afterAll(async () => {
    await server?.dispose();
    await proxy?.close();
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(MONGODB_URI!);
    await client.db(database).dropDatabase().catch(() => undefined);
    await client.close();
  });

  it('keeps acknowledging chat while the connection is cut and stores everything once it is back', async () => {
    const port = (await server.createRoom('outage')).body.data.port as number;
    const { client } = await ChatTestClient.join(port, { name: 'Ann' });
    const say = async (text: string, ref: number) => {
      client.send({ type: 'message', text, ref });
      expect(await client.next((f) => f.ref === ref, 10_000)).toMatchObject({ type: 'message', text });
    };
    for (let i = 0; i < 5; i++) await say(`before ${i}`, i);
    const stats = async () => (await server.admin('GET', '/api/v1/stats')).body.data;
    expect((await stats()).store).toMatchObject({ up: true, journalEntries: 0 });

    proxy.cut();
    // Acknowledged from the local journal (on this machine's disk) while MongoDB is away.
    for (let i = 0; i < 5; i++) await say(`during ${i}`, 10 + i);
    expect((await stats()).store).toMatchObject({ up: false, journalEntries: 5 });

    proxy.restore();
    await expect.poll(async () => (await stats()).store.journalEntries, { timeout: 60_000, interval: 500 }).toBe(0);
    client.close();

    // Read back from MongoDB itself, not from the server's memory.
    const { MongoClient } = await import('mongodb');
    const direct = new MongoClient(MONGODB_URI!);
    const stored = await direct.db(database).collection('messages').find({ room: 'outage' }).sort({ id: 1 }).toArray();
    await direct.close();
    expect(stored.map((m) => m.text)).toEqual([...Array.from({ length: 5 }, (_, i) => `before ${i}`), ...Array.from({ length: 5 }, (_, i) => `during ${i}`)]);
  }, 120_000);
});
