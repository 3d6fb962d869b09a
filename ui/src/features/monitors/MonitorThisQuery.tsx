import { useState } from "react";
import { useNav } from "../../app/nav";
import type { MonitorSummary } from "../../bindings";
import { MonitorDialog } from "./MonitorDialog";

/** On a finished job: turn it into a monitor that runs on a schedule. */
export function MonitorThisQuery({
  localId,
  query,
  limit,
}: {
  localId: number;
  query: string;
  limit: number | null;
}) {
  const nav = useNav();
  const [open, setOpen] = useState(false);
  const [made, setMade] = useState<MonitorSummary | null>(null);
  return (
    <div className="row">
      <button type="button" onClick={() => setOpen(true)}>
        Monitor this query
      </button>
      {made ? (
        <p role="status" className="row">
          Monitor created: {made.scheduleHuman ?? made.scheduleText}.
          <button type="button" className="link-button" onClick={() => nav.go("monitors")}>
            Open Monitors
          </button>
        </p>
      ) : null}
      {open ? (
        <MonitorDialog
          jobLocalId={localId}
          query={query}
          defaultLimit={limit}
          onClose={() => setOpen(false)}
          onCreated={(m) => {
            setOpen(false);
            setMade(m);
          }}
        />
      ) : null}
    </div>
  );
}
