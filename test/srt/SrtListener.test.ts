import dgram from 'node:dgram';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/kit/createLogger.js';
import { HS_CONCLUSION, HS_INDUCTION, inductionAnswer, readHandshake, readHeader, shutdown, CONTROL_SHUTDOWN, type Handshake } from '../../src/srt/packet.js';
import type { SrtBackend } from '../../src/srt/RelaySession.js';
import { SRT_REJECT } from '../../src/srt/rejections.js';
import { SrtListener, type SrtCaller, type SrtDecision } from '../../src/srt/SrtListener.js';
import { conclusionPacket, handshakePacket } from './srtPackets.js';

const logger = createLogger('silent');

/** A caller speaking raw SRT handshakes over a real UDP socket. */
class RawCaller {
  readonly socket = dgram.createSocket('udp4');
  readonly #answers: Buffer[] = [];
  readonly #waiters: Array<(packet: Buffer) => void> = [];

  constructor(readonly port: number) {
    this.socket.on('message', (packet) => {
      const waiter = this.#waiters.shift();
      if (waiter) waiter(packet);
      else this.#answers.push(packet);
    });
  }

  send(packet: Buffer): void {
    this.socket.send(packet, this.port, '127.0.0.1');
  }

  next(): Promise<Handshake> {
    const queued = this.#answers.shift();
    const packet = queued ? Promise.resolve(queued) : new Promise<Buffer>((resolve) => this.#waiters.push(resolve));
    return packet.then((bytes) => {
      const read = readHandshake(bytes);
      if (!read.ok) throw new Error(read.reason);
      return read.handshake;
    });
  }

  /** The cookie of an induction, as a caller gets it. */
  async induct(): Promise<number> {
    this.send(handshakePacket());
    const answer = await this.next();
    expect(answer).toMatchObject({ version: 5, type: HS_INDUCTION, extensionField: 0x4a17 });
    return answer.cookie;
  }
}

describe('SrtListener', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function listener(authorize: (caller: SrtCaller) => Promise<SrtDecision>): Promise<{ srt: SrtListener; caller: RawCaller; asked: SrtCaller[] }> {
    const asked: SrtCaller[] = [];
    const probe = dgram.createSocket('udp4');
    probe.bind(0);
    await once(probe, 'listening');
    const port = probe.address().port;
    probe.close();
    const srt = new SrtListener({ port, logger, authorize: (caller) => (asked.push(caller), authorize(caller)) });
    await srt.listen();
    const caller = new RawCaller(port);
    closers.push(() => srt.close(), () => caller.socket.close());
    return { srt, caller, asked };
  }

  it('answers inductions, ignores junk and conclusions without its cookie, and refuses with the decided reason (again for repeats)', async () => {
    const { caller, asked } = await listener(async () => ({ ok: false, reason: SRT_REJECT.FORBIDDEN, message: 'viewer token' }));
    caller.send(Buffer.from('junk that is not SRT at all'));
    caller.send(conclusionPacket(12345, 'token'));
    const cookie = await caller.induct();
    caller.send(conclusionPacket(cookie, 'token'));
    expect((await caller.next()).type).toBe(1000 + SRT_REJECT.FORBIDDEN);
    caller.send(conclusionPacket(cookie, 'token'));
    expect((await caller.next()).type).toBe(1000 + SRT_REJECT.FORBIDDEN);
    // Asked once: the junk and the conclusion with a wrong cookie never reached the decision, the repeat got the kept refusal.
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ streamId: 'token' });
  });

  it('refuses an HSv4 conclusion and an unreadable stream ID without asking', async () => {
    const { caller, asked } = await listener(async () => ({ ok: false, reason: SRT_REJECT.FORBIDDEN, message: '' }));
    const cookie = await caller.induct();
    caller.send(handshakePacket({ version: 4, type: -1, cookie }));
    expect((await caller.next()).type).toBe(1000 + SRT_REJECT.VERSION);
    const other = new RawCaller(caller.port);
    closers.push(() => other.socket.close());
    const otherCookie = await other.induct();
    other.send(conclusionPacket(otherCookie, 'x'.repeat(600)));
    expect((await other.next()).type).toBe(1000 + SRT_REJECT.BAD_REQUEST);
    expect(asked).toHaveLength(0);
  });

  it('refuses callers past the backlog of undecided ones', async () => {
    const { caller } = await listener(() => new Promise<SrtDecision>(() => undefined));
    const callers = [caller];
    for (let i = 0; i < 4; i += 1) {
      const extra = new RawCaller(caller.port);
      closers.push(() => extra.socket.close());
      callers.push(extra);
    }
    const cookies = await Promise.all(callers.map((c) => c.induct()));
    for (let i = 0; i < 4; i += 1) callers[i]!.send(conclusionPacket(cookies[i]!, 'token'));
    callers[4]!.send(conclusionPacket(cookies[4]!, 'token'));
    expect((await callers[4]!.next()).type).toBe(1000 + SRT_REJECT.BACKLOG);
  });

  it('tells the backend when the caller sends a shutdown (an end), before the shutdown reaches it', async () => {
    const backend = await FakeBackend.start();
    closers.push(() => backend.close());
    const { caller } = await listener(async () => ({ ok: true, backend }));
    const cookie = await caller.induct();
    caller.send(conclusionPacket(cookie, 'token'));
    // The relay inducts with the backend, then hands it the caller's conclusion.
    await backend.received((packet) => {
      const read = readHandshake(packet);
      return read.ok && read.handshake.type === HS_CONCLUSION;
    });
    const data = Buffer.alloc(32);
    caller.send(data);
    await backend.received((packet) => readHeader(packet)?.control === false);
    expect(backend.shutdownAt).toBeNull();
    const before = backend.count;
    caller.send(shutdown(0x1234, 0));
    await backend.received((packet) => readHeader(packet)?.controlType === CONTROL_SHUTDOWN);
    expect(backend.shutdownAt).toBe(before);
  });

  it('frees its port on close (twice is fine)', async () => {
    const { srt } = await listener(async () => ({ ok: false, reason: SRT_REJECT.FORBIDDEN, message: '' }));
    await srt.close();
    await srt.close();
    const again = dgram.createSocket('udp6');
    again.bind(srt.port);
    await once(again, 'listening');
    again.close();
  });
});

/** Stands in for libsrt's listener (the receiver's ffmpeg): answers inductions, records what the relay sends. */
class FakeBackend implements SrtBackend {
  readonly ended: Promise<void>;
  /** How many packets had arrived when the caller's shutdown was told (null: never). */
  shutdownAt: number | null = null;
  readonly #packets: Buffer[] = [];
  readonly #waiters: Array<() => void> = [];
  #end: () => void = () => undefined;

  private constructor(
    readonly socket: dgram.Socket,
    readonly port: number,
  ) {
    this.ended = new Promise((resolve) => (this.#end = resolve));
    socket.on('message', (packet, from) => {
      this.#packets.push(packet);
      const read = readHandshake(packet);
      if (read.ok && read.handshake.type === HS_INDUCTION) socket.send(inductionAnswer(packet, read.handshake, 777, 0), from.port, from.address);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async start(): Promise<FakeBackend> {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new FakeBackend(socket, socket.address().port);
  }

  get count(): number {
    return this.#packets.length;
  }

  async received(match: (packet: Buffer) => boolean): Promise<void> {
    while (!this.#packets.some(match)) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  callerShutdown(): void {
    this.shutdownAt = this.#packets.length;
  }

  #closed = false;

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#end();
    this.socket.close();
  }
}
