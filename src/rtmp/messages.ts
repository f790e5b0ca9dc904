import { encode, type Amf0Object, type Amf0Value } from './amf0.js';
import type { OutgoingMessage } from './ChunkWriter.js';

/** Message type ids (RTMP 1.0, 5.4 and 7.1). */
export const MessageType = {
  setChunkSize: 1,
  abort: 2,
  acknowledgement: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  amf3Data: 15,
  amf3Command: 17,
  amf0Data: 18,
  amf0Command: 20,
} as const;

const CONTROL_CSID = 2;
const COMMAND_CSID = 3;

function control(typeId: number, payload: Buffer): OutgoingMessage {
  return { csid: CONTROL_CSID, typeId, streamId: 0, timestamp: 0, payload };
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

export function windowAckSize(bytes: number): OutgoingMessage {
  return control(MessageType.windowAckSize, uint32(bytes));
}

/** Limit type 2 (dynamic): the peer treats it as hard the first time. */
export function setPeerBandwidth(bytes: number): OutgoingMessage {
  return control(MessageType.setPeerBandwidth, Buffer.concat([uint32(bytes), Buffer.from([2])]));
}

export function acknowledgement(sequence: number): OutgoingMessage {
  return control(MessageType.acknowledgement, uint32(sequence));
}

/** User Control Stream Begin: the stream is ready for use. */
export function streamBegin(streamId: number): OutgoingMessage {
  const payload = Buffer.alloc(6);
  payload.writeUInt32BE(streamId, 2);
  return control(MessageType.userControl, payload);
}

export function command(streamId: number, name: string, transactionId: number, ...args: Amf0Value[]): OutgoingMessage {
  return { csid: COMMAND_CSID, typeId: MessageType.amf0Command, streamId, timestamp: 0, payload: encode(name, transactionId, ...args) };
}

export function status(level: 'status' | 'error', code: string, description: string): Amf0Object {
  return { level, code, description };
}
