import { useEffect, useState } from 'react';
import { fetchAgentsToday } from '../../platform/api.js';
import type { ServerAccess } from '../../platform/http.js';

const REFRESH_MS = 60_000;

/**
 * Today's median first response by agent, from the server, asked again every minute. Null
 * while the server refuses or cannot be reached: the view shows "—" rather than old numbers.
 */
export function useAgentsToday(access: ServerAccess): ReadonlyMap<string, number | null> | null {
  const [medians, setMedians] = useState<ReadonlyMap<string, number | null> | null>(null);
  useEffect(() => {
    let live = true;
    const load = (): void => {
      fetchAgentsToday(access).then(
        (agents) => {
          if (live) setMedians(new Map(agents.map((agent) => [agent.agentId, agent.firstResponseMedianSeconds])));
        },
        () => {
          if (live) setMedians(null);
        },
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [access]);
  return medians;
}
