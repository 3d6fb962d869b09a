// Which screen is showing. A tiny context instead of a router: the app has
// five screens and no URLs to share.
import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { prefetchJobTable } from "../features/results/queries";
import { jobSnapshotQuery } from "../features/watch/jobState";
import type { JobDraft } from "../lib/ipc";

export type Screen = "compose" | "jobs" | "monitors" | "watchlists" | "plan" | "settings" | "job";

export type Nav = {
  screen: Screen;
  jobId: number | null;
  /** A draft handed to the composer ("Run again with edits"); nonce makes each hand-over new. */
  incoming: { draft: JobDraft; nonce: number } | null;
  go: (screen: Exclude<Screen, "job">) => void;
  openJob: (localId: number) => void;
  runAgain: (draft: JobDraft) => void;
};

const NavContext = createContext<Nav | null>(null);

export function NavProvider({
  children,
  initial = "compose",
}: {
  children: ReactNode;
  initial?: Screen;
}) {
  const [screen, setScreen] = useState<Screen>(initial);
  const [jobId, setJobId] = useState<number | null>(null);
  const [incoming, setIncoming] = useState<Nav["incoming"]>(null);
  const qc = useQueryClient();
  const go = useCallback((s: Exclude<Screen, "job">) => setScreen(s), []);
  const openJob = useCallback(
    (id: number) => {
      // The table's first rows are asked for by the click, not by the view's effects.
      void qc.prefetchQuery(jobSnapshotQuery(id));
      prefetchJobTable(qc, id);
      setJobId(id);
      setScreen("job");
    },
    [qc],
  );
  const runAgain = useCallback((draft: JobDraft) => {
    setIncoming({ draft, nonce: Date.now() });
    setScreen("compose");
  }, []);
  const value = useMemo(
    () => ({ screen, jobId, incoming, go, openJob, runAgain }),
    [screen, jobId, incoming, go, openJob, runAgain],
  );
  return <NavContext.Provider value={value}>{children}</NavContext.Provider>;
}

export function useNav(): Nav {
  const nav = useContext(NavContext);
  if (!nav) throw new Error("useNav outside NavProvider");
  return nav;
}
