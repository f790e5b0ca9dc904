/** Calls `poll` every `everyMs` while the component is mounted (the latest `poll` each time), never two at once. */
import { useEffect, useRef } from 'preact/hooks';

export function usePolling(poll: () => Promise<void>, everyMs: number): void {
  const latest = useRef(poll);
  latest.current = poll;
  useEffect(() => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      latest.current().finally(() => (busy = false));
    }, everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
}
