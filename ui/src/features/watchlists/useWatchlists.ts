// The watchlists query, apart from the Watchlists screen: the composer
// (loaded with the page) reads it, the screen itself loads on demand.
import { useQuery } from "@tanstack/react-query";
import { ipc, type Watchlist } from "../../lib/ipc";

export const watchlistsKey = ["watchlists"] as const;

/** Every watchlist (of one project); asked again every 2 s while one is not ready. */
export function useWatchlists(projectId: string | null, enabled = true) {
  return useQuery({
    enabled,
    queryKey: [...watchlistsKey, projectId ?? ""],
    queryFn: () => ipc.listWatchlists(projectId),
    refetchInterval: (q) =>
      (q.state.data ?? []).some((w: Watchlist) => !w.ready && w.status !== "failed") ? 2000 : false,
  });
}
