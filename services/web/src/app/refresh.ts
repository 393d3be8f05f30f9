import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * After a command, when to read a view fed by a consumer again (the desk's lists, the projection's timeline): it
 * follows the command's events, so it catches up moments after the command's answer, later on a loaded machine.
 */
const FOLLOW_MS = [300, 1_000, 2_500, 5_000] as const;

/**
 * A number to put in the deps of such reads: it changes every `everyMs` (if given, for other devices' work) and a
 * few times shortly after `follow()`.
 */
export function useRefresh(everyMs?: number): { tick: number; follow: () => void } {
  const [tick, setTick] = useState(0);
  const timers = useRef<ReturnType<typeof setTimeout>[]>([]);
  useEffect(() => {
    const every = everyMs === undefined ? undefined : setInterval(() => setTick((n) => n + 1), everyMs);
    return () => {
      if (every !== undefined) clearInterval(every);
      for (const timer of timers.current) clearTimeout(timer);
    };
  }, [everyMs]);
  const follow = () => {
    for (const timer of timers.current) clearTimeout(timer);
    timers.current = FOLLOW_MS.map((ms) => setTimeout(() => setTick((n) => n + 1), ms));
  };
  return { tick, follow };
}
