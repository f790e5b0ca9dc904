import net from 'node:net';

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS says is free right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ port: 0, exclusive: true }, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Linux's default ephemeral range starts here: outgoing connections and `port: 0` listeners take ports from it. */
const EPHEMERAL_FIRST = 32_768;
const RANGE_FLOOR = 20_000;

/**
 * `size` consecutive free ports, from a random base so parallel test files rarely meet. Below the
 * ephemeral range: a room port freed for a moment (a worker crash, a server restart) must not be
 * taken meanwhile by another test's outgoing connection or `freePort()` listener.
 */
export async function freePortRange(size: number): Promise<{ first: number; last: number; env: string }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = RANGE_FLOOR + Math.floor(Math.random() * (EPHEMERAL_FIRST - RANGE_FLOOR - size));
    let free = true;
    for (let port = first; port < first + size && free; port++) free = await canListen(port);
    if (free) return { first, last: first + size - 1, env: `${first}-${first + size - 1}` };
  }
  throw new Error(`no ${size} consecutive free ports found`);
}

