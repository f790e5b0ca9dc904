/** While a broadcast runs: elapsed time, bitrate, dropped frames, viewers, and what the server asks the producer to fix. */
import { useEffect, useState } from 'preact/hooks';
import { formatDuration } from '../lib/recordings.ts';
import type { BroadcastState } from './Broadcast.ts';
import type { LiveFigures } from './useLiveFigures.ts';

function useNow(running: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

export function LiveStatus({ state, figures }: { state: BroadcastState; figures: LiveFigures }) {
  const now = useNow(state.liveSince !== null);
  const bitrate = figures.sender?.bitrateKbps ?? figures.ingest?.bitrateKbps ?? null;
  const warnings = state.warnings.length > 0 ? state.warnings : (figures.ingest?.warnings ?? []);
  return (
    <section class="studio-figures" aria-label="Stream figures">
      <dl>
        <div>
          <dt>Live for</dt>
          <dd id="elapsed">{state.liveSince === null ? '–' : formatDuration((now - state.liveSince) / 1000)}</dd>
        </div>
        <div>
          <dt>Bitrate</dt>
          <dd id="bitrate">{bitrate === null ? '–' : `${bitrate.toLocaleString()} kbit/s`}</dd>
        </div>
        <div>
          <dt>Dropped frames</dt>
          <dd id="dropped">{figures.sender ? figures.sender.droppedFrames.toLocaleString() : '–'}</dd>
        </div>
        <div>
          <dt>Viewers</dt>
          <dd id="viewers">{figures.viewers === null ? '–' : figures.viewers.toLocaleString()}</dd>
        </div>
      </dl>
      {warnings.length > 0 && (
        <ul id="ingest-warnings" class="studio-warnings" aria-label="What to fix">
          {warnings.map((warning) => (
            <li key={warning.code}>{warning.message}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
