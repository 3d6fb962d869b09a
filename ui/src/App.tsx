import { QueryClientProvider, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ErrorNotice } from "./app/ErrorNotice";
import { NavProvider, type Screen, useNav } from "./app/nav";
import { createQueryClient } from "./app/queryClient";
import { useTheme } from "./app/theme";
import { PlanScreen } from "./features/account/PlanScreen";
import { SettingsScreen } from "./features/account/SettingsScreen";
import { Compose } from "./features/compose/Compose";
import { HistoryScreen } from "./features/history/HistoryScreen";
import { FirstRun } from "./features/setup/FirstRun";
import { JobView } from "./features/watch/JobView";
import { routeJobEvent } from "./features/watch/jobState";
import { ipc, onJobEvent } from "./lib/ipc";

export const appInfoKey = ["appInfo"] as const;
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
  { screen: "plan", label: "Plan" },
  { screen: "settings", label: "Settings" },
];

function Shell() {
  const client = useQueryClient();
  const nav = useNav();
  const info = useQuery({ queryKey: appInfoKey, queryFn: ipc.appInfo, staleTime: Infinity });
  const settings = useQuery({
    queryKey: settingsKey,
    queryFn: ipc.getSettings,
    enabled: info.data != null && !info.data.firstRun,
  });
  useTheme(settings.data?.theme);

  // One listener for the whole app: events land in the query cache, and
  // every screen reads from there.
  useEffect(() => onJobEvent((e) => routeJobEvent(client, e)), [client]);

  const ready = info.data != null && !info.data.firstRun;
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
                onClick={() => nav.go(t.screen)}
              >
                {t.label}
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
            {nav.screen === "jobs" ? <HistoryScreen /> : null}
            {nav.screen === "plan" ? <PlanScreen /> : null}
            {nav.screen === "settings" ? <SettingsScreen info={info.data} /> : null}
            {nav.screen === "job" && nav.jobId != null ? (
              <JobView key={nav.jobId} localId={nav.jobId} />
            ) : null}
          </>
        ) : null}
      </main>
    </div>
  );
}
