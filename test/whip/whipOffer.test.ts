import { describe, expect, it } from 'vitest';
import { checkOffer } from '../../src/whip/whipOffer.js';
import { WHIP_OFFER } from './offers.js';

const refusal = (sdp: string) => {
  const checked = checkOffer(sdp);
  if (checked.ok) throw new Error('expected a refusal');
  return checked;
};
/** The offer's audio section removed (everything from its m= line on). */
const videoOnly = WHIP_OFFER.slice(0, WHIP_OFFER.indexOf('m=audio'));

describe('checkOffer', () => {
  it('takes a browser offer: H.264 video (copied) and Opus audio', () => {
    expect(checkOffer(WHIP_OFFER)).toEqual({ ok: true, video: { codecs: ['H264', 'VP8'] }, audio: true });
  });

  it('takes video alone, LF line ends, and session-level ICE credentials and fingerprint', () => {
    expect(checkOffer(videoOnly)).toMatchObject({ ok: true, audio: false });
    expect(checkOffer(WHIP_OFFER.replaceAll('\r\n', '\n'))).toMatchObject({ ok: true });
    const lines = videoOnly.split('\r\n');
    const moved = lines.filter((line) => /^a=(ice-ufrag|ice-pwd|fingerprint)/.test(line));
    const rest = lines.filter((line) => !moved.includes(line));
    rest.splice(4, 0, ...moved);
    expect(checkOffer(rest.join('\r\n'))).toMatchObject({ ok: true });
  });

  it('refuses what is not SDP with 400 SDP_INVALID and the reason', () => {
    expect(refusal('')).toMatchObject({ code: 'SDP_INVALID', message: expect.stringContaining('v=0') });
    expect(refusal('{"sdp":"v=0"}')).toMatchObject({ code: 'SDP_INVALID' });
    expect(refusal('v=0\r\nhello world')).toMatchObject({ code: 'SDP_INVALID', message: expect.stringContaining('Line 2') });
    expect(refusal('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0')).toMatchObject({ code: 'SDP_INVALID', message: expect.stringContaining('no m= section') });
    expect(refusal(WHIP_OFFER.replace('m=video 50000 UDP/TLS/RTP/SAVPF 102 103 96', 'm=video'))).toMatchObject({ code: 'SDP_INVALID' });
    expect(refusal(WHIP_OFFER.replace('v=0', 'v=0\0'))).toMatchObject({ code: 'SDP_INVALID' });
    expect(refusal(videoOnly.replace(/a=ice-pwd:.*\r\n/, ''))).toMatchObject({ code: 'SDP_INVALID', message: expect.stringContaining('ice-pwd') });
    expect(refusal(videoOnly.replace(/a=fingerprint:.*\r\n/, ''))).toMatchObject({ code: 'SDP_INVALID', message: expect.stringContaining('fingerprint') });
  });

  it('refuses an offer without H.264 video with 406 and names what was offered', () => {
    expect(refusal(WHIP_OFFER.replaceAll('H264', 'VP9'))).toMatchObject({ code: 'OFFER_NOT_ACCEPTABLE', message: expect.stringContaining('VP9, VP8') });
    expect(refusal(WHIP_OFFER.replace('packetization-mode=1', 'packetization-mode=0'))).toMatchObject({ code: 'OFFER_NOT_ACCEPTABLE', message: expect.stringContaining('packetization-mode=1') });
    const audioOnly = WHIP_OFFER.slice(0, WHIP_OFFER.indexOf('m=video')) + WHIP_OFFER.slice(WHIP_OFFER.indexOf('m=audio'));
    expect(refusal(audioOnly)).toMatchObject({ code: 'OFFER_NOT_ACCEPTABLE', message: expect.stringContaining('no video') });
    // A rejected (port 0) video section is no video either.
    expect(refusal(WHIP_OFFER.replace('m=video 50000', 'm=video 0'))).toMatchObject({ code: 'OFFER_NOT_ACCEPTABLE' });
  });

  it('refuses audio that is not Opus, a receive-only track, plain RTP, two videos and data channels with 406', () => {
    expect(refusal(WHIP_OFFER.replace('opus/48000/2', 'PCMU/8000'))).toMatchObject({ code: 'OFFER_NOT_ACCEPTABLE', message: expect.stringContaining('Opus') });
    expect(refusal(WHIP_OFFER.replace('a=sendonly', 'a=recvonly'))).toMatchObject({ code: 'OFFER_NOT_ACCEPTABLE', message: expect.stringContaining('recvonly') });
    expect(refusal(WHIP_OFFER.replace('UDP/TLS/RTP/SAVPF 102', 'RTP/AVP 102'))).toMatchObject({ code: 'OFFER_NOT_ACCEPTABLE', message: expect.stringContaining('DTLS') });
    const video = WHIP_OFFER.slice(WHIP_OFFER.indexOf('m=video'), WHIP_OFFER.indexOf('m=audio'));
    expect(refusal(WHIP_OFFER + video)).toMatchObject({ code: 'OFFER_NOT_ACCEPTABLE', message: expect.stringContaining('2 video') });
    expect(refusal(WHIP_OFFER + 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n')).toMatchObject({ code: 'OFFER_NOT_ACCEPTABLE', message: expect.stringContaining('data channel') });
  });

  it('never throws on arbitrary text', () => {
    for (const junk of ['v=0\r\nm=', 'v=0\r\nm=video 1 X\r\na=rtpmap:', 'v=0\r\nm=video 1 UDP/TLS/RTP/SAVPF 1\r\na=rtpmap:1\r\na=fmtp:1', '\u{1F600}'.repeat(1000)]) {
      expect(checkOffer(junk).ok).toBe(false);
    }
  });
});
