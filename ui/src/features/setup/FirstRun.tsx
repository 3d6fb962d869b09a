import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { type AppInfo, ipc } from "../../lib/ipc";
import { KeyForm } from "./KeyForm";

/** The first screen: bring your own key, or look around with sample data. */
export function FirstRun({ info }: { info: AppInfo }) {
  const client = useQueryClient();
  const [choice, setChoice] = useState<"none" | "key">("none");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function connect(connection: "sandbox" | "live") {
    setBusy(true);
    setError(null);
    try {
      client.setQueryData(["appInfo"], await ipc.setConnection(connection));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="first-run stack" aria-labelledby="first-run-title">
      <h2 id="first-run-title">Welcome</h2>
      <p>
        CatchAll Desk finds news-based records (funding rounds, launches, hires…) and lets you
        explore and export them. How would you like to start?
      </p>
      <div className="choices">
        <div className="choice card stack">
          <h3>Use my API key</h3>
          <p>Work with your own account and plan.</p>
          {choice === "key" ? (
            <KeyForm
              status={info.key}
              onCancel={() => setChoice("none")}
              onSaved={() => void connect("live")}
            />
          ) : (
            <button type="button" className="primary" onClick={() => setChoice("key")}>
              Use my API key
            </button>
          )}
        </div>
        <div className="choice card stack">
          <h3>Try the sandbox</h3>
          <p>No key needed. Everything you see is sample data. You can switch in Settings.</p>
          <button type="button" disabled={busy} onClick={() => void connect("sandbox")}>
            Try the sandbox
          </button>
        </div>
      </div>
      <ErrorNotice error={error} />
    </section>
  );
}
