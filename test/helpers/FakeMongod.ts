import net from 'node:net';
import { BSON, type Document } from 'mongodb';

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

/** What the fake does with one command: answer it with this document, or never answer (a write lost in a silent partition). */
export type FakeAnswer = Document | 'hang';

/** The answer of a standalone MongoDB 7.0 to the driver's handshake and heartbeats. */
function hello(): Document {
  return {
    ismaster: true,
    isWritablePrimary: true,
    helloOk: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: 1,
    minWireVersion: 0,
    maxWireVersion: 21,
    ok: 1,
  };
}

function defaultAnswer(command: Document): Document {
  const name = Object.keys(command)[0] ?? '';
  if (name === 'hello' || name.toLowerCase() === 'ismaster') return hello();
  if (name === 'update') return { ok: 1, n: (command.updates as unknown[]).length, nModified: 0 };
  if (name === 'delete') return { ok: 1, n: 0 };
  return { ok: 1 };
}

/** A message header: length, request id, the id it answers, op code. */
function header(length: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(16);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(0, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

function reply(opCode: number, requestId: number, answer: Document): Buffer {
  const body = Buffer.from(BSON.serialize(answer));
  if (opCode === OP_QUERY) {
    // OP_REPLY: flags, cursor id, starting from, number returned, the document.
    const fields = Buffer.alloc(20);
    fields.writeInt32LE(1, 16);
    return Buffer.concat([header(16 + 20 + body.length, requestId, OP_REPLY), fields, body]);
  }
  // OP_MSG: flags, one section of kind 0.
  const fields = Buffer.from([0, 0, 0, 0, 0]);
  return Buffer.concat([header(16 + 5 + body.length, requestId, OP_MSG), fields, body]);
}

function cstringEnd(buffer: Buffer, from: number): number {
  return buffer.indexOf(0, from);
}

/** The command of an OP_QUERY (the driver's handshake) or an OP_MSG (everything after it), document sequences merged in. */
function commandOf(message: Buffer): Document {
  const opCode = message.readInt32LE(12);
  if (opCode === OP_QUERY) {
    const afterName = cstringEnd(message, 20) + 1;
    return BSON.deserialize(message.subarray(afterName + 8));
  }
  let command: Document = {};
  for (let at = 20; at < message.length; ) {
    const kind = message[at]!;
    at += 1;
    const size = message.readInt32LE(at);
    if (kind === 0) {
      command = { ...BSON.deserialize(message.subarray(at, at + size)), ...command };
    } else {
      const nameEnd = cstringEnd(message, at + 4);
      const name = message.toString('utf8', at + 4, nameEnd);
      const documents: Document[] = [];
      for (let doc = nameEnd + 1; doc < at + size; doc += message.readInt32LE(doc)) documents.push(BSON.deserialize(message.subarray(doc, doc + message.readInt32LE(doc))));
      command[name] = documents;
    }
    at += size;
  }
  return command;
}

/**
 * Just enough of a MongoDB server for the official driver (handshake, heartbeats, commands) to
 * test what MongoStore asks of it and what happens when it answers badly or not at all, on a
 * machine without MongoDB. `answer` decides per command; every command is kept in `commands`.
 */
export class FakeMongod {
  readonly commands: Document[] = [];
  answer: (command: Document) => FakeAnswer | undefined = () => undefined;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();

  constructor() {
    this.#server = net.createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
      let pending = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
          const length = pending.readInt32LE(0);
          this.#take(socket, pending.subarray(0, length));
          pending = pending.subarray(length);
        }
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as net.AddressInfo;
    return `mongodb://127.0.0.1:${port}/chat?directConnection=true`;
  }

  /** The commands named `name` received so far. */
  received(name: string): Document[] {
    return this.commands.filter((command) => Object.keys(command)[0] === name);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #take(socket: net.Socket, message: Buffer): void {
    const command = commandOf(message);
    this.commands.push(command);
    const answer = this.answer(command) ?? defaultAnswer(command);
    if (answer === 'hang') return;
    socket.write(reply(message.readInt32LE(12), message.readInt32LE(4), answer));
  }
}
