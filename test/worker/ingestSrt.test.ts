import { afterEach, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../src/hls/resolveFfmpeg.js';
import { SRT_REJECT } from '../../src/srt/rejections.js';
import { authorizeSrtCaller, type SrtMedia } from '../../src/worker/ingestSrt.js';
import { ingestRoom } from '../helpers/ingestRoom.js';

type Room = Awaited<ReturnType<typeof ingestRoom>>;

/** authorizeSrtCaller on a real LiveStream, with the receiver's start held back until the test lets it go. */
describe('authorizeSrtCaller', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function callerStoppedWhileStarting(stop: (room: Room) => unknown) {
    const room = await ingestRoom();
    closers.push(room.close);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const media: SrtMedia = {
      srtSupport: async () => ({ available: true }),
      ffmpeg: async () => {
        await gate;
        return resolveFfmpeg({ configured: '/usr/bin/ffmpeg', searchPath: undefined });
      },
    };
    const decision = authorizeSrtCaller(room.room, media, { streamId: await room.token('p1'), address: '127.0.0.1', port: 9 });
    while (room.stream.producer === null) await new Promise((resolve) => setImmediate(resolve));
    await stop(room);
    release();
    return { room, decision: await decision };
  }

  it('refuses the caller when its stream is stopped while the receiver starts', async () => {
    const { room, decision } = await callerStoppedWhileStarting((r) => r.stream.stop('stopped by the test'));
    expect(decision).toEqual({ ok: false, reason: SRT_REJECT.FORBIDDEN, message: 'STREAM_STOPPED_BY_MODERATOR: stopped by the test' });
    expect(room.stream.producer).toBeNull();
    expect(room.ffmpegAsked).toBe(0);
  });

  it('refuses the caller when the room closes while the receiver starts', async () => {
    const { decision } = await callerStoppedWhileStarting((r) => r.stream.close('the room closes', 'deleted'));
    expect(decision).toMatchObject({ ok: false, reason: SRT_REJECT.DOWN });
  });
});
