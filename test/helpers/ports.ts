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

/** `size` consecutive free ports, from a random base so parallel test files rarely meet. */
export async function freePortRange(size: number): Promise<{ first: number; last: number; env: string }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 30_000);
    let free = true;
    for (let port = first; port < first + size && free; port++) free = await canListen(port);
    if (free) return { first, last: first + size - 1, env: `${first}-${first + size - 1}` };
  }
  throw new Error(`no ${size} consecutive free ports found`);
}
