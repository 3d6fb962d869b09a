import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { formatBytes, formatCount } from "../../lib/format";
import {
  type ExportFormat,
  type ExportProgress,
  type ExportResult,
  ipc,
  onExportProgress,
  type TableColumn,
  type ViewSpec,
} from "../../lib/ipc";
import { columnsKey } from "../results/queries";
import { arrange } from "../results/tableLayout";

const FORMATS: { format: ExportFormat; label: string }[] = [
  { format: "csv", label: "CSV" },
  { format: "xlsx", label: "Excel (XLSX)" },
  { format: "json", label: "JSON" },
];

/** Export buttons; Rust asks where to save and writes the file, with progress. */
export function ExportPanel({
  localId,
  view,
  layout = [],
}: {
  localId: number;
  view: ViewSpec;
  /** The table's columns as arranged: "only what the table shows" writes the visible ones. */
  layout?: TableColumn[];
}) {
  const columns = useQuery({
    queryKey: columnsKey(localId),
    queryFn: () => ipc.jobColumns(localId),
  }).data;
  const [opening, setOpening] = useState<unknown>(null);
  const id = useId();
  const [scope, setScope] = useState<"shown" | "all" | "accepted">("all");
  const [running, setRunning] = useState<ExportFormat | null>(null);
  const [progress, setProgress] = useState<ExportProgress | null>(null);
  const [result, setResult] = useState<ExportResult | "cancelled" | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(
    () =>
      onExportProgress((p) => {
        if (p.localId === localId) setProgress(p);
      }),
    [localId],
  );

  async function run(format: ExportFormat) {
    setRunning(format);
    setProgress(null);
    setResult(null);
    setError(null);
    try {
      const chosen: ViewSpec | null =
        scope === "shown"
          ? view
          : scope === "accepted"
            ? { sort: null, search: null, filters: [], review: "accepted" }
            : null;
      // The visible columns in their order (never the page's guess of a path).
      const shownColumns =
        scope === "shown" && columns
          ? arrange(columns, layout, () => 0).map((p) => p.col.key)
          : null;
      const r = await ipc.exportJob(localId, format, chosen, shownColumns);
      setResult(r ?? "cancelled");
    } catch (e) {
      setError(e);
    } finally {
      setRunning(null);
    }
  }

  const filtered =
    view.search != null || view.filters.length > 0 || view.sort != null || view.review != null;
  return (
    <section className="export card stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Export</h3>
      <fieldset className="row wrap">
        <legend>Which records (reviewed jobs get the review columns)</legend>
        <label className="check">
          <input
            type="radio"
            name={`${id}-scope`}
            checked={scope === "all"}
            onChange={() => setScope("all")}
          />
          Everything
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${id}-scope`}
            checked={scope === "shown"}
            onChange={() => setScope("shown")}
          />
          Only what the table shows{filtered ? " (current search, filters and sort)" : ""}
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${id}-scope`}
            checked={scope === "accepted"}
            onChange={() => setScope("accepted")}
          />
          Accepted only
        </label>
      </fieldset>
      <div className="row wrap">
        {FORMATS.map((f) => (
          <button
            key={f.format}
            type="button"
            disabled={running != null}
            onClick={() => void run(f.format)}
          >
            Export {f.label}
          </button>
        ))}
      </div>
      {running ? (
        <div className="stack">
          <progress
            aria-label="Export progress"
            max={progress?.total || undefined}
            value={progress ? progress.written : undefined}
          />
          <p aria-live="polite">
            {progress
              ? `Written ${formatCount(progress.written)} of ${formatCount(progress.total)} records…`
              : "Choose where to save the file…"}
          </p>
          {progress ? (
            <div className="row">
              <button type="button" onClick={() => void ipc.cancelExport(localId)}>
                Cancel export
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      {result === "cancelled" ? <p role="status">Export cancelled.</p> : null}
      {result && result !== "cancelled" ? (
        result.partial ? (
          <p role="status" className="notice notice-warning">
            Saved a partial export, {formatCount(result.records)} records (
            {formatBytes(result.bytes)}), to <span className="mono">{result.path}</span>: not every
            record of this job is on this computer yet ({result.partial}). Export again once the job
            reads “Completed”.
          </p>
        ) : (
          <p role="status">
            Saved {formatCount(result.records)} records ({formatBytes(result.bytes)}) to{" "}
            <span className="mono">{result.path}</span>.
          </p>
        )
      ) : null}
      {result && result !== "cancelled" ? (
        <div className="row">
          <button
            type="button"
            onClick={() => ipc.openExport(localId, true).then(() => setOpening(null), setOpening)}
          >
            Show in folder
          </button>
          <button
            type="button"
            onClick={() => ipc.openExport(localId, false).then(() => setOpening(null), setOpening)}
          >
            Open
          </button>
        </div>
      ) : null}
      <ErrorNotice error={error ?? opening ?? undefined} />
    </section>
  );
}
