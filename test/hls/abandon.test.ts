import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestRoom, MARKER } from '../helpers/ingestRoom.js';
import { sampleMedia } from '../helpers/media.js';

const CLUSTER_ID = Buffer.from([0x1f, 0x43, 0xb6, 0x75]);

/** IngestSession.abandon() on a real LiveStream: the claim is undone, nothing starts. */
describe('an abandoned claim', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('starts nothing for held bytes (a WHIP session holds the WebM header it made) and frees the slot', async () => {
    const room = await ingestRoom();
    closers.push(room.close);
    const session = await room.stream.claim('p1', 0, 'whip');
    const webm = await sampleMedia('webm-vp8-opus', 1);
    session.push(webm.subarray(0, webm.indexOf(CLUSTER_ID)));
    const abandoned = once(session, 'abandoned');
    session.abandon();
    await abandoned;
    await session.settled();
    expect(session.done).toBe(true);
    expect(room.stream.producer).toBeNull();
    expect(room.stream.canClaim('p2')).toBe(true);
    expect(room.ffmpegAsked).toBe(0);
    expect(room.counters.streamsStarted).toBe(0);
    expect(existsSync(path.join(room.dir, MARKER))).toBe(true);
    expect(room.stream.status.phase).toBe('offline');
  });

  it('holds a dropped stream again when its producer came back and left before its stream restarted', async () => {
    const room = await ingestRoom({ resumeMs: 30_000 });
    closers.push(room.close);
    const first = await room.stream.claim('p1', 0, 'http');
    first.push(await sampleMedia('ts-h264-aac', 2));
    await once(first, 'live');
    const exited = once(room.stream, 'exit');
    first.drop();
    await exited;
    const held = room.stream.ingest();
    expect(held).toMatchObject({ held: true });

    const back = await room.stream.claim('p1', 0, 'whip');
    expect(room.stream.ingest()?.held).toBe(false);
    back.abandon();
    expect(room.stream.ingest()).toMatchObject({ held: true, resumeUntil: held!.resumeUntil });
    expect(room.stream.producer).toBe('p1');
    expect(room.stream.canClaim('p2')).toBe(false);
    expect(room.stream.status.phase).toBe('live');
    expect(room.counters.streamsStarted).toBe(1);
  }, 30_000);
});
