import type { RTCPeerConnection } from 'werift';

/** TLS alert record: level warning (1), description close_notify (0); content type alert (21). */
const CLOSE_NOTIFY = Buffer.from([1, 0]);
const ALERT = 21;
/** Type, version, epoch, 48-bit sequence number, length. */
const RECORD_HEADER_BYTES = 13;

/**
 * Sends the publisher a DTLS close_notify alert, encrypted like any record of the session, so it
 * learns at once that the server ended the session (room deleted, stream failed, shutdown):
 * werift's close() stops ICE without one ("todo impl send alert"), and a browser then keeps
 * sending into the void until ICE consent expires (Chromium: `failed` 17 s later). Browsers
 * report it as the DTLS transport's `closed` state. Best effort: a session whose DTLS never
 * connected has nothing to close, and a send that fails changes nothing.
 */
export async function sendCloseNotify(pc: RTCPeerConnection): Promise<void> {
  for (const transport of pc.dtlsTransports) {
    const socket = transport.dtls;
    if (transport.state !== 'connected' || !socket) continue;
    const { dtls, cipher } = socket;
    const header = { type: ALERT, version: (dtls.version.major << 8) | dtls.version.minor, epoch: dtls.epoch, sequenceNumber: ++dtls.recordSequenceNumber };
    const fragment = cipher.cipher.encrypt(cipher.sessionType, CLOSE_NOTIFY, header);
    const record = Buffer.alloc(RECORD_HEADER_BYTES + fragment.length);
    record.writeUInt8(ALERT, 0);
    record.writeUInt8(dtls.version.major, 1);
    record.writeUInt8(dtls.version.minor, 2);
    record.writeUInt16BE(dtls.epoch, 3);
    record.writeUIntBE(header.sequenceNumber, 5, 6);
    record.writeUInt16BE(fragment.length, 11);
    fragment.copy(record, RECORD_HEADER_BYTES);
    await socket.transport.send(record).catch(() => undefined);
  }
}
