import { describe, expect, it } from 'vitest';
import { parseInputProtocols } from '../../src/hls/ffmpegProtocols.js';

const DEBIAN = 'Supported file protocols:\nInput:\n  async\n  file\n  rtmp\n  srt\n  udp\nOutput:\n  file\n  srt\n';
const STATIC_41 = 'Supported file protocols:\nInput:\n  async\n  file\n  rtmp\n  udp\nOutput:\n  file\n  srt\n';

describe('ffmpeg -protocols', () => {
  it('lists the input protocols only', () => {
    expect(parseInputProtocols(DEBIAN).has('srt')).toBe(true);
    // An output-only srt does not count: the server receives.
    expect(parseInputProtocols(STATIC_41).has('srt')).toBe(false);
    expect([...parseInputProtocols(DEBIAN)]).toEqual(['async', 'file', 'rtmp', 'srt', 'udp']);
    expect(parseInputProtocols('not ffmpeg').size).toBe(0);
  });
});
