import { PictureLossIndication, RtcpPayloadSpecificFeedback } from 'werift';

/**
 * RFC 5104 Full Intra Request (payload-specific feedback, FMT 4): a keyframe request some
 * senders honour when they ignore PLI. werift parses FIR but exports no way to send one, so this
 * is PLI's feedback shape with FIR's format number and body: the common header's media SSRC is
 * 0 and the FCI names the sender's SSRC with a sequence number that grows per new request.
 */
class FirFeedback extends PictureLossIndication {
  readonly #target: number;
  readonly #sequence: number;

  constructor(senderSsrc: number, targetSsrc: number, sequence: number) {
    super({ senderSsrc, mediaSsrc: 0 });
    this.#target = targetSsrc;
    this.#sequence = sequence;
    this.count = 4;
    // In 32-bit words minus one: sender SSRC, media SSRC and one 8-byte FCI entry.
    this.length = 4;
  }

  override serialize(): Buffer<ArrayBuffer> {
    const body = Buffer.alloc(16);
    body.writeUInt32BE(this.senderSsrc >>> 0, 0);
    body.writeUInt32BE(0, 4);
    body.writeUInt32BE(this.#target >>> 0, 8);
    body[12] = this.#sequence & 0xff;
    return body;
  }
}

export function fullIntraRequest(senderSsrc: number, targetSsrc: number, sequence: number): RtcpPayloadSpecificFeedback {
  return new RtcpPayloadSpecificFeedback({ feedback: new FirFeedback(senderSsrc, targetSsrc, sequence) });
}
