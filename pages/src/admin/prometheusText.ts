/**
 * Reads the figures the console charts from /metrics (Prometheus text format): each metric's
 * samples summed over their labels (a gauge per worker adds up to the server's figure).
 */
export function sumMetrics(text: string, names: readonly string[]): Map<string, number> {
  const wanted = new Set(names);
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const nameEnd = line.search(/[{\s]/);
    const name = nameEnd === -1 ? line : line.slice(0, nameEnd);
    if (!wanted.has(name)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sums.set(name, (sums.get(name) ?? 0) + value);
  }
  return sums;
}
