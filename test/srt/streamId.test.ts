import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SRT_REJECT } from '../../src/srt/rejections.js';
import { parseStreamId } from '../../src/srt/streamId.js';

describe('SRT stream IDs', () => {
  it('takes a plain token', () => {
    expect(parseStreamId('aaa.bbb.ccc')).toEqual({ ok: true, request: { token: 'aaa.bbb.ccc', resource: null } });
  });

  it('takes the access-control syntax with the token in s, the room in r, mode publish; ignores other keys', () => {
    expect(parseStreamId('#!::r=room1,m=publish,s=tok,u=obs,t=stream')).toEqual({ ok: true, request: { token: 'tok', resource: 'room1' } });
    expect(parseStreamId('#!::s=tok')).toEqual({ ok: true, request: { token: 'tok', resource: null } });
    expect(parseStreamId('%23%21%3A%3Ar%3Droom1%2Cs%3Dtok')).toEqual({ ok: true, request: { token: 'tok', resource: 'room1' } });
  });

  it('refuses with the access-control rejection codes', () => {
    expect(parseStreamId(null)).toMatchObject({ ok: false, reason: SRT_REJECT.UNAUTHORIZED });
    expect(parseStreamId('')).toMatchObject({ ok: false, reason: SRT_REJECT.UNAUTHORIZED });
    expect(parseStreamId('#!::r=room1,m=publish')).toMatchObject({ ok: false, reason: SRT_REJECT.UNAUTHORIZED });
    expect(parseStreamId('#!::r=room1,m=request,s=tok')).toMatchObject({ ok: false, reason: SRT_REJECT.BAD_MODE });
    expect(parseStreamId('#!{r=room1}')).toMatchObject({ ok: false, reason: SRT_REJECT.BAD_REQUEST });
    expect(parseStreamId('#!::s=a,s=b')).toMatchObject({ ok: false, reason: SRT_REJECT.BAD_REQUEST });
    expect(parseStreamId('#!::junk')).toMatchObject({ ok: false, reason: SRT_REJECT.BAD_REQUEST });
    // Not decodable: taken as a plain token, which the token check then refuses.
    expect(parseStreamId('%23%21%E0%A4%A')).toEqual({ ok: true, request: { token: '%23%21%E0%A4%A', resource: null } });
  });

  it('never throws, and keeps messages short, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 600 }), fc.string({ maxLength: 600 }).map((s) => `#!::${s}`)), (streamId) => {
        const parsed = parseStreamId(streamId);
        if (!parsed.ok) expect(parsed.message.length).toBeLessThan(200);
      }),
      { numRuns: 1_000 },
    );
  });
});
