import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { type AppInfo, type Connection, ipc, type Settings, type Theme } from "../../lib/ipc";
import { DEFAULT_CONFIRM_ABOVE } from "../compose/startPlan";
import { KeyPanel } from "../setup/KeyPanel";

/** The service asks for a status check every 30 to 60 seconds. */
export const POLL_MIN = 30;
export const POLL_MAX = 60;

/** Why a typed poll interval cannot be kept; null when it can. */
export function pollIntervalProblem(text: string): string | null {
  const t = text.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || !Number.isInteger(n))
    return `Enter a whole number of seconds, from ${POLL_MIN} to ${POLL_MAX}.`;
  if (n < POLL_MIN || n > POLL_MAX)
    return `${n} seconds is outside what the service allows: choose ${POLL_MIN} to ${POLL_MAX} seconds.`;
  return null;
}

export function SettingsScreen({ info }: { info: AppInfo }) {
  const id = useId();
  const client = useQueryClient();
  const settings = useQuery({ queryKey: ["settings"], queryFn: ipc.getSettings });
  const connection = useMutation({
    mutationFn: (c: Connection) => ipc.setConnection(c),
    onSuccess: (next) => {
      client.setQueryData(["appInfo"], next);
      // Plan, jobs and account lists belong to the other connection now.
      void client.invalidateQueries({
        predicate: (q) => q.queryKey[0] !== "appInfo" && q.queryKey[0] !== "settings",
      });
    },
  });

  // "Add your API key first" goes as soon as a key is there.
  const resetConnection = connection.reset;
  // biome-ignore lint/correctness/useExhaustiveDependencies: resets when the key changes
  useEffect(() => resetConnection(), [info.key.stored, resetConnection]);

  return (
    <section className="stack settings" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Settings</h2>

      <fieldset className="card stack">
        <legend>Connection</legend>
        <label className="check">
          <input
            type="radio"
            name={`${id}-conn`}
            checked={info.connection === "sandbox"}
            disabled={connection.isPending}
            onChange={() => connection.mutate("sandbox")}
          />
          Sandbox (sample data, no key needed)
        </label>
        <label className="check">
          <input
            type="radio"
            name={`${id}-conn`}
            checked={info.connection === "live"}
            disabled={connection.isPending}
            onChange={() => connection.mutate("live")}
          />
          Live service (uses your API key)
        </label>
        <p className="help">Now using {info.baseUrl}</p>
        <ErrorNotice error={connection.error} />
      </fieldset>

      <section className="card stack" aria-labelledby={`${id}-key`}>
        <h3 id={`${id}-key`}>API key</h3>
        <KeyPanel info={info} />
      </section>

      {settings.isPending ? <p>Loading settings…</p> : null}
      <ErrorNotice error={settings.error} />
      {settings.data ? <SettingsForm initial={settings.data} /> : null}

      <LogFolder />

      <p className="muted small">
        CatchAll Desk {info.version}
        {info.devBuild ? " (development build)" : ""} · data in {info.dataDir}
      </p>
    </section>
  );
}

/** Where the app's log is, for a support request. */
function LogFolder() {
  const id = useId();
  const open = useMutation({ mutationFn: ipc.openLogFolder });
  return (
    <section className="card stack" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>When something looks wrong</h3>
      <p className="help">
        The app keeps a log of what it did (never your API key). Attach it when you ask for help.
      </p>
      <div className="row">
        <button type="button" onClick={() => open.mutate()} disabled={open.isPending}>
          Open log folder
        </button>
      </div>
      {open.data ? <p className="help">Opened {open.data}</p> : null}
      <ErrorNotice error={open.error} />
    </section>
  );
}

function SettingsForm({ initial }: { initial: Settings }) {
  const id = useId();
  const client = useQueryClient();
  const [baseUrl, setBaseUrl] = useState(initial.baseUrl);
  const [poll, setPoll] = useState(String(initial.pollIntervalSecs));
  const [theme, setTheme] = useState<Theme>(initial.theme);
  const [confirmAbove, setConfirmAbove] = useState(
    // Older settings have none: the composer's default.
    String(initial.confirmAboveRecords ?? DEFAULT_CONFIRM_ABOVE),
  );
  const [problem, setProblem] = useState<string | null>(null);
  const [confirmProblem, setConfirmProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (s: Settings) => ipc.saveSettings(s),
    onSuccess: (s) => {
      client.setQueryData(["settings"], s);
      void client.invalidateQueries({ queryKey: ["appInfo"] });
    },
  });
  useEffect(() => setTheme(initial.theme), [initial.theme]);

  function changeTheme(t: Theme) {
    setTheme(t);
    // The theme applies at once; the rest waits for "Save settings".
    save.mutate({ ...initial, theme: t });
  }

  return (
    <form
      className="card stack"
      aria-label="Service and appearance"
      onSubmit={(e) => {
        e.preventDefault();
        save.reset();
        const secs = Number(poll.trim());
        const pollProblem = pollIntervalProblem(poll);
        const above = Number(confirmAbove.trim().replace(/,/g, ""));
        const aboveProblem =
          confirmAbove.trim() && Number.isInteger(above) && above >= 0
            ? null
            : "Enter a whole number of records (0 asks before every job).";
        setProblem(pollProblem);
        setConfirmProblem(aboveProblem);
        if (pollProblem || aboveProblem) return;
        save.mutate({
          baseUrl: baseUrl.trim(),
          pollIntervalSecs: secs,
          theme,
          confirmAboveRecords: above,
        });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-url`}>Service address (base URL)</label>
        <input
          id={`${id}-url`}
          type="url"
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-poll`}>Check job status every (seconds)</label>
        <input
          id={`${id}-poll`}
          inputMode="numeric"
          value={poll}
          aria-invalid={problem ? true : undefined}
          aria-describedby={`${id}-poll-help${problem ? ` ${id}-poll-err` : ""}`}
          onChange={(e) => {
            setPoll(e.target.value);
            setProblem(null);
          }}
        />
        <p id={`${id}-poll-help`} className="help">
          Between {POLL_MIN} and {POLL_MAX} seconds, as the service asks. The sandbox is checked
          faster.
        </p>
        {problem ? (
          <p id={`${id}-poll-err`} className="field-error">
            {problem}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-confirm`}>Ask before starting jobs above (records)</label>
        <input
          id={`${id}-confirm`}
          inputMode="numeric"
          value={confirmAbove}
          aria-invalid={confirmProblem ? true : undefined}
          aria-describedby={`${id}-confirm-help${confirmProblem ? ` ${id}-confirm-err` : ""}`}
          onChange={(e) => {
            setConfirmAbove(e.target.value);
            setConfirmProblem(null);
          }}
        />
        <p id={`${id}-confirm-help`} className="help">
          A job with a larger maximum, or none (the plan's maximum), asks first.
        </p>
        {confirmProblem ? (
          <p id={`${id}-confirm-err`} className="field-error">
            {confirmProblem}
          </p>
        ) : null}
      </div>
      <fieldset className="row wrap">
        <legend>Theme</legend>
        {(["light", "dark", "system"] as const).map((t) => (
          <label className="check" key={t}>
            <input
              type="radio"
              name={`${id}-theme`}
              checked={theme === t}
              onChange={() => changeTheme(t)}
            />
            {t === "system" ? "Same as the system" : t === "light" ? "Light" : "Dark"}
          </label>
        ))}
      </fieldset>
      <ErrorNotice error={save.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save settings
        </button>
        {save.isSuccess ? (
          <span role="status" className="muted">
            Saved
          </span>
        ) : null}
      </div>
    </form>
  );
}
