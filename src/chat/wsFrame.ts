/**
 * Frames a payload as one unmasked, final WebSocket text frame (RFC 6455 section 5.2), header
 * and payload in one buffer, so a broadcast is framed once and the same bytes go to every socket.
 */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81; // FIN + opcode 1 (text)
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerLength);
  return frame;
}

/** Serializes once and frames once. */
export function jsonFrame(value: unknown): Buffer {
  return textFrame(Buffer.from(JSON.stringify(value), 'utf8'));
}
