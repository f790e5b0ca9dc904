import { describe, expect, it } from 'vitest';
import { publishUrls } from '../../src/http/publishUrls.js';

describe('publishUrls', () => {
  it('names every way in to the room port, with the shared RTMP port and SRT only where they exist', () => {
    expect(publishUrls('live.example.com', 34001, { srt: true, rtmpPort: 1935 })).toEqual({
      rtmp: 'rtmp://live.example.com:34001/live',
      rtmpShared: 'rtmp://live.example.com/live',
      whip: 'http://live.example.com:34001/whip',
      srt: 'srt://live.example.com:34001',
      http: 'http://live.example.com:34001/ingest',
    });
    expect(publishUrls('10.0.0.2', 34000, { srt: false, rtmpPort: null })).toMatchObject({ rtmpShared: null, srt: null });
    expect(publishUrls('10.0.0.2', 34000, { srt: false, rtmpPort: 19350 }).rtmpShared).toBe('rtmp://10.0.0.2:19350/live');
  });
});
