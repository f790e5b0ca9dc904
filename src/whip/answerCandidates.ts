/**
 * Adds host candidates with the server's public address to an SDP answer. The ICE sockets are
 * bound to every address (0.0.0.0), and candidates name the machine's interface addresses: behind
 * a 1:1 NAT (a cloud VM, a container with published ports) those are private, so each UDP host
 * candidate is repeated with the address clients reach (WHIP_ICE_HOST, PUBLIC_HOST by default)
 * on the same port. A client tries every candidate; the ones it cannot reach just fail.
 */
const CANDIDATE = /^a=candidate:(\S+) (\d+) (udp) (\d+) (\S+) (\d+) typ host(.*)$/i;

export function addPublicCandidates(sdp: string, address: string): string {
  const lines = sdp.split('\r\n');
  const out: string[] = [];
  const present = new Set<string>();
  for (const line of lines) {
    const match = CANDIDATE.exec(line);
    if (match) present.add(`${match[5]} ${match[6]}`);
  }
  for (const line of lines) {
    out.push(line);
    const match = CANDIDATE.exec(line);
    if (!match) continue;
    const [, , component, protocol, priority, , port, rest] = match as unknown as string[];
    const key = `${address} ${port}`;
    if (present.has(key)) continue;
    present.add(key);
    // A foundation of its own: candidates with one foundation are expected to share a base address.
    out.push(`a=candidate:pub${port} ${component} ${protocol} ${Number(priority) - 1} ${address} ${port} typ host${rest}`);
  }
  return out.join('\r\n');
}
