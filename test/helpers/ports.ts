/**
 * Ports for the servers the tests start.
 *
 * API ports (PORT, ADMIN_PORT, a load balancer's PORT) are the OS's: the server listens on port 0
 * and names the ports it bound in its ready line (ServerProcess reads them there). Nothing is
 * picked in advance, so no other program can take a port between a check and the bind.
 *
 * Room ports need a range (ROOM_PORTS), which the OS cannot hand out. Ranges are drawn below
 * Linux's ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`), where the OS never puts an
 * outgoing connection or a port-0 listener: a room port freed for a moment (a worker crash, a
 * restart) stays free for the server that owns it. That space is cut into blocks, and each test
 * process (one per test file) takes a block of its own before it draws a range: it listens on the
 * block's last port (exclusive) and keeps listening while it lives. Two test files, of this run or
 * of another run on the same machine, never hold the same block, and the OS frees a block when
 * its holder ends, however it ends (no lock files to go stale). The first block tried follows `VITEST_POOL_ID`, so the files
 * running side by side in one run usually get theirs at the first try. Inside its block a process
 * hands out ranges one after the other, skipping ports something still listens on (a worker
 * of a killed server that has not noticed yet). Should an unrelated program hold a room port
 * anyway, the server skips it for the next one (a room's port is the one its create answer names).
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Where Linux's ephemeral range starts (its default when the file cannot be read). */
function ephemeralFirst(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}

const SPACE_LAST = ephemeralFirst() - 1;
const SPACE_FIRST = Math.max(1024, Math.min(20_000, SPACE_LAST - 8 * 1024));
/** Ports one test file may use: its servers' ranges follow each other in it. */
const BLOCK_SIZE = 256;
const BLOCKS = Math.floor((SPACE_LAST - SPACE_FIRST + 1) / BLOCK_SIZE);
/** Room ports of a block: all but its last, which is the block's lock. */
const ROOM_PORTS_PER_BLOCK = BLOCK_SIZE - 1;

/** This process's block; `lock` listens on its last port, and the OS lets it go when the process ends, however it ends. */
let block: { first: number; next: number; lock: net.Server } | undefined;

/** Listens on the block's lock port (its last port); undefined when another process listens there. */
function tryLock(index: number): Promise<net.Server | undefined> {
  const port = SPACE_FIRST + index * BLOCK_SIZE + BLOCK_SIZE - 1;
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, exclusive: true }, () => resolve(server.unref()));
  });
}

async function ownBlock(): Promise<{ first: number; next: number; lock: net.Server }> {
  if (block) return block;
  const start = Number(process.env.VITEST_POOL_ID ?? 1) - 1;
  for (let i = 0; i < BLOCKS; i++) {
    const index = (start + i) % BLOCKS;
    const lock = await tryLock(index);
    if (lock) {
      const first = SPACE_FIRST + index * BLOCK_SIZE;
      block = { first, next: first, lock };
      return block;
    }
  }
  throw new Error(`every one of the ${BLOCKS} room port blocks is held by a live process (lock ports ${SPACE_FIRST + BLOCK_SIZE - 1}, +${BLOCK_SIZE}, ...)`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `size` consecutive ports for ROOM_PORTS, from this test file's own block (see the header). */
export async function freePortRange(size: number): Promise<{ first: number; last: number; env: string }> {
  if (size > ROOM_PORTS_PER_BLOCK) throw new Error(`a room port range of ${size} is more than a block holds (${ROOM_PORTS_PER_BLOCK})`);
  const own = await ownBlock();
  // The block's last port is its lock: ranges come from the others.
  for (let tried = 0; tried < ROOM_PORTS_PER_BLOCK; tried += size) {
    if (own.next + size > own.first + ROOM_PORTS_PER_BLOCK) own.next = own.first;
    const first = own.next;
    own.next += size;
    let free = true;
    for (let port = first; port < first + size && free; port++) free = await canListen(port);
    if (free) return { first, last: first + size - 1, env: `${first}-${first + size - 1}` };
  }
  throw new Error(`no ${size} consecutive free ports left in the block ${own.first}-${own.first + BLOCK_SIZE - 1}`);
}

/**
 * A port nothing listens on, for a test that needs a refused connection (a store that is down).
 * Not for a server to listen on: give it port 0.
 */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ port: 0, exclusive: true }, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
