// Polling: every page keeps its data fresh by asking the API again on a fixed interval.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** How often pages poll the broker, in milliseconds. */
export const pollIntervalMs = 2000;

/**
 * Calls `load` now and every `intervalMs` (never two at once) and returns its latest result or
 * error, plus `refresh()` to load again at once (after an action). A new `key` starts over, and
 * answers still arriving for the old key are dropped.
 */
export function usePoll(load, key, intervalMs = pollIntervalMs) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  const generation = useRef(0);
  const inFlight = useRef(-1);
  const loadRef = useRef(load);
  loadRef.current = load;

  const refresh = useCallback(async () => {
    const gen = generation.current;
    if (inFlight.current === gen) return;
    inFlight.current = gen;
    try {
      const data = await loadRef.current();
      if (gen === generation.current) setState({ data, error: undefined });
    } catch (error) {
      if (gen === generation.current) setState((s) => ({ data: s.data, error }));
    } finally {
      if (inFlight.current === gen) inFlight.current = -1;
    }
  }, []);

  useEffect(() => {
    const gen = ++generation.current;
    setState({ data: undefined, error: undefined });
    void refresh();
    const timer = setInterval(refresh, intervalMs);
    return () => {
      clearInterval(timer);
      if (generation.current === gen) generation.current++;
    };
  }, [key, intervalMs]);

  return { ...state, refresh };
}
