/**
 * Connections, messages per second and live streams, read from /metrics every 5 s and drawn as
 * sparklines of the last 5 minutes (kept in the page only: a reload starts them again).
 */
import { useEffect, useState } from 'preact/hooks';
import { usePolling } from '../lib/usePolling.ts';
import type { AdminApi } from './adminApi.ts';
import { sumMetrics } from './prometheusText.ts';
import { Sparkline } from './Sparkline.tsx';

const EVERY_MS = 5000;
const KEPT = 60;
const METRICS = ['chatserver_connections', 'chatserver_messages_in_total', 'chatserver_live_streams'] as const;

interface Reading {
  at: number;
  connections: number;
  messagesIn: number;
  live: number;
}

interface Series {
  connections: number[];
  messagesPerSecond: number[];
  live: number[];
}

const keep = (values: number[], value: number) => [...values, value].slice(-KEPT);

export function LiveFigures({ api }: { api: AdminApi }) {
  const [series, setSeries] = useState<Series>({ connections: [], messagesPerSecond: [], live: [] });
  const [last, setLast] = useState<Reading | null>(null);
  const read = async () => {
    let text: string;
    try {
      text = await api.metrics();
    } catch {
      return;
    }
    const sums = sumMetrics(text, METRICS);
    const reading = { at: Date.now(), connections: sums.get(METRICS[0]) ?? 0, messagesIn: sums.get(METRICS[1]) ?? 0, live: sums.get(METRICS[2]) ?? 0 };
    // A worker replaced by a restart counts from zero again: a drop is not a negative rate.
    const rate = last === null ? null : Math.max(0, (reading.messagesIn - last.messagesIn) / Math.max(0.001, (reading.at - last.at) / 1000));
    setSeries((current) => ({
      connections: keep(current.connections, reading.connections),
      messagesPerSecond: rate === null ? current.messagesPerSecond : keep(current.messagesPerSecond, rate),
      live: keep(current.live, reading.live),
    }));
    setLast(reading);
  };
  usePolling(read, EVERY_MS);
  useEffect(() => void read(), [api]);
  const span = 'the last 5 minutes';
  return (
    <section id="figures" class="admin-section" aria-labelledby="figures-heading">
      <h2 id="figures-heading">Live figures</h2>
      <div class="figures">
        <Sparkline id="figure-connections" label="Chat connections" values={series.connections} format={(v) => String(Math.round(v))} span={span} />
        <Sparkline id="figure-messages" label="Messages per second" values={series.messagesPerSecond} format={(v) => v.toFixed(1)} span={span} />
        <Sparkline id="figure-live" label="Live streams" values={series.live} format={(v) => String(Math.round(v))} span={span} />
      </div>
    </section>
  );
}
