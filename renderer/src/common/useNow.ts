import { useEffect, useState } from 'react';

/**
 * The current time, re-rendering on each minute boundary so countdowns and window states
 * change when the wall clock does.
 */
export function useNow(intervalMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = (): void => {
      const delay = intervalMs - (Date.now() % intervalMs) + 20;
      timer = setTimeout(() => {
        setNow(Date.now());
        schedule();
      }, delay);
    };
    schedule();
    return () => clearTimeout(timer);
  }, [intervalMs]);
  return now;
}
