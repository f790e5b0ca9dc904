import { describe, expect, it } from 'vitest';
import { addPublicCandidates } from '../../src/whip/answerCandidates.js';

const ANSWER = [
  'v=0',
  'm=video 9 UDP/TLS/RTP/SAVPF 102',
  'a=candidate:aaa 1 udp 2116026367 192.0.2.2 47789 typ host generation 0 ufrag x',
  'a=candidate:bbb 1 tcp 1516026367 192.0.2.2 9 typ host tcptype passive',
  'a=end-of-candidates',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=candidate:aaa 1 udp 2116026367 192.0.2.2 47789 typ host generation 0 ufrag x',
  '',
].join('\r\n');

describe('addPublicCandidates', () => {
  it('repeats each UDP host candidate with the public address on the same port, once per address and port', () => {
    const lines = addPublicCandidates(ANSWER, '203.0.113.7').split('\r\n');
    const added = lines.filter((line) => line.includes('203.0.113.7'));
    expect(added).toEqual(['a=candidate:pub47789 1 udp 2116026366 203.0.113.7 47789 typ host generation 0 ufrag x']);
    expect(lines.indexOf(added[0]!)).toBe(3);
    expect(lines.length).toBe(ANSWER.split('\r\n').length + 1);
  });

  it('adds nothing when the address is already a candidate', () => {
    expect(addPublicCandidates(ANSWER, '192.0.2.2')).toBe(ANSWER);
  });
});
