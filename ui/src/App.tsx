import { QueryClientProvider, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { ErrorNotice } from "./app/ErrorNotice";
import { FinishedToasts, useFinishedJobs } from "./app/FinishedJobs";
import { LazyScreen, lazyScreen } from "./app/lazyScreen";
import { NavProvider, type Screen, useNav } from "./app/nav";
import { createQueryClient } from "./app/queryClient";
import { useTheme } from "./app/theme";
import { Compose } from "./features/compose/Compose";
import { FirstRun } from "./features/setup/FirstRun";
import { routeJobEvent } from "./features/watch/jobState";
import { Prewarm } from "./features/watch/Prewarm";
import { ipc } from "./lib/ipc";

// The first screens (first run, composer) load with the page; the others
// come in their own files, fetched once the first screen is up, so the
// start parses ~30 % less script.
const screens = {
  history: lazyScreen(() =>
    import("./features/history/HistoryScreen").then((m) => m.HistoryScreen),
  ),
  job: lazyScreen(() => import("./features/watch/JobView").then((m) => m.JobView)),
  monitors: lazyScreen(() =>
    import("./features/monitors/MonitorsScreen").then((m) => m.MonitorsScreen),
  ),
  plan: lazyScreen(() => import("./features/account/PlanScreen").then((m) => m.PlanScreen)),
  watchlists: lazyScreen(() =>
    import("./features/watchlists/WatchlistsScreen").then((m) => m.WatchlistsScreen),
  ),
  settings: lazyScreen(() =>
    import("./features/account/SettingsScreen").then((m) => m.SettingsScreen),
  ),
};

export const appInfoKey = ["appInfo"] as const;
/** The app's state (connection, first run): asked once, kept current by mutations. */
export const appInfoQuery = {
  queryKey: appInfoKey,
  queryFn: () => ipc.appInfo(),
  staleTime: Number.POSITIVE_INFINITY,
};
export const settingsKey = ["settings"] as const;

export function App({ client }: { client?: ReturnType<typeof createQueryClient> }) {
  const [queryClient] = useState(() => client ?? createQueryClient());
  return (
    <QueryClientProvider client={queryClient}>
      <NavProvider>
        <Shell />
      </NavProvider>
    </QueryClientProvider>
  );
}

const TABS: { screen: Exclude<Screen, "job">; label: string }[] = [
  { screen: "compose", label: "Compose" },
  { screen: "jobs", label: "Jobs" },
  { screen: "monitors", label: "Monitors" },
  { screen: "watchlists", label: "Watchlists" },
  { screen: "plan", label: "Plan" },
  { screen: "settings", label: "Settings" },
];

function Shell() {
  const client = useQueryClient();
  const nav = useNav();
  const info = useQuery(appInfoQuery);
  const settings = useQuery({
    queryKey: settingsKey,
    queryFn: ipc.getSettings,
    enabled: info.data != null && !info.data.firstRun,
  });
  useTheme(settings.data?.theme);

  const watching = useRef<number | null>(null);
  watching.current = nav.screen === "job" ? nav.jobId : null;
  const finished = useFinishedJobs(() => watching.current);
  const onFinished = finished.onEvent;
  // One listener for the whole app: events land in the query cache, and
  // every screen reads from there.
  useEffect(
    () =>
      ipc.onJobEvent((e) => {
        routeJobEvent(client, e);
        onFinished(e);
      }),
    [client, onFinished],
  );
  // Looking at the Jobs list or at the job counts as seen.
  const seen = finished.seen;
  useEffect(() => {
    if (nav.screen === "jobs") seen();
    else if (nav.screen === "job" && nav.jobId != null) seen(nav.jobId);
  }, [nav.screen, nav.jobId, seen]);

  const ready = info.data != null && !info.data.firstRun;
  // Once the first screen is painted, load the other screens in the
  // background, so none waits for its script when opened; then show the
  // newest job's view once, hidden (Prewarm), unless a job is opened first.
  const [warm, setWarm] = useState<"waiting" | "running" | "done">("waiting");
  const endWarm = useCallback(() => setWarm("done"), []);
  useEffect(() => {
    if (!ready) return;
    const t = setTimeout(() => {
      for (const s of Object.values(screens)) s.preload().catch(() => {});
      screens.job.preload().then(
        () => setWarm((w) => (w === "waiting" ? "running" : w)),
        () => setWarm("done"),
      );
    }, 0);
    return () => clearTimeout(t);
  }, [ready]);
  useEffect(() => {
    if (nav.screen === "job") setWarm("done");
  }, [nav.screen]);
  const loadedJobView = screens.job.loaded();
  return (
    <div className="app">
      <header className="app-header">
        <h1>CatchAll Desk</h1>
        {info.data?.connection === "sandbox" ? (
          <span className="sandbox-badge">Sandbox — sample data</span>
        ) : null}
        {ready ? (
          <nav aria-label="Main" className="app-nav">
            {TABS.map((t) => (
              <button
                key={t.screen}
                type="button"
                className="tab"
                aria-current={nav.screen === t.screen ? "page" : undefined}
                aria-label={
                  t.screen === "jobs" && finished.unseen > 0
                    ? `Jobs (${finished.unseen} finished)`
                    : undefined
                }
                onClick={() => nav.go(t.screen)}
              >
                {t.label}
                {t.screen === "jobs" && finished.unseen > 0 ? (
                  <span className="count-badge" aria-hidden="true">
                    {finished.unseen}
                  </span>
                ) : null}
              </button>
            ))}
          </nav>
        ) : null}
      </header>
      <main className="app-main">
        {info.isPending ? <p>Starting…</p> : null}
        {info.isError ? <ErrorNotice error={info.error} /> : null}
        {info.data?.firstRun ? <FirstRun info={info.data} /> : null}
        {ready ? (
          <>
            {/* The composer stays mounted so nothing typed is lost when switching tabs. */}
            <div hidden={nav.screen !== "compose"}>
              <Compose active={nav.screen === "compose"} />
            </div>
            {nav.screen === "jobs" ? <LazyScreen screen={screens.history} props={{}} /> : null}
            {nav.screen === "monitors" ? <LazyScreen screen={screens.monitors} props={{}} /> : null}
            {nav.screen === "watchlists" ? (
              <LazyScreen screen={screens.watchlists} props={{}} />
            ) : null}
            {nav.screen === "plan" ? <LazyScreen screen={screens.plan} props={{}} /> : null}
            {nav.screen === "settings" ? (
              <LazyScreen screen={screens.settings} props={{ info: info.data }} />
            ) : null}
            {nav.screen === "job" && nav.jobId != null ? (
              <LazyScreen key={nav.jobId} screen={screens.job} props={{ localId: nav.jobId }} />
            ) : null}
            {warm === "running" && nav.screen !== "job" && loadedJobView ? (
              <Prewarm jobView={loadedJobView} onDone={endWarm} />
            ) : null}
          </>
        ) : null}
      </main>
      {ready ? (
        <FinishedToasts
          toasts={finished.toasts}
          onOpen={(id) => nav.openJob(id)}
          onDismiss={finished.dismiss}
        />
      ) : null}
    </div>
  );
}
