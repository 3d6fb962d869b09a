import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "../../app/ConfirmDialog";
import { ErrorNotice } from "../../app/ErrorNotice";
import type { NewWebhook, WebhookSummary, WebhookTestOutcome } from "../../bindings";
import { monitorsIpc } from "./monitorsIpc";
import { MAX_WEBHOOKS, webhookUrlProblem } from "./schedule";

export const webhooksKey = ["webhooks"] as const;

/** Why a channel (name and webhook address) cannot be saved, or null. */
function channelProblem(name: string, url: string): string | null {
  return name.trim() ? webhookUrlProblem(url) : "Give the channel a name.";
}

const testWords = (r: WebhookTestOutcome) =>
  `${r.success ? "Test delivered" : "Test not delivered"}${r.statusCode ? ` (HTTP ${r.statusCode})` : ""}`;

/**
 * The team channels a monitor tells (up to five): pick, add, "Send test",
 * change a channel's name or address, delete one (after asking).
 */
export function WebhookPicker({
  hooks,
  loading,
  chosen,
  onChange,
}: {
  hooks: WebhookSummary[];
  loading: boolean;
  chosen: string[];
  onChange: (ids: string[]) => void;
}) {
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [urlProblem, setUrlProblem] = useState<string | null>(null);
  const [tested, setTested] = useState<Record<string, WebhookTestOutcome>>({});
  const [editing, setEditing] = useState<WebhookSummary | null>(null);
  const [deleting, setDeleting] = useState<WebhookSummary | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: webhooksKey });
  const add = useMutation({
    mutationFn: (w: NewWebhook) => monitorsIpc.createWebhook(w),
    onSuccess: (w) => {
      refresh();
      setName("");
      setUrl("");
      if (chosen.length < MAX_WEBHOOKS) onChange([...chosen, w.id]);
    },
  });
  const test = useMutation({
    mutationFn: (hookId: string) => monitorsIpc.testWebhook(hookId),
    onSuccess: (r, hookId) => setTested((t) => ({ ...t, [hookId]: r })),
  });
  const remove = useMutation({
    mutationFn: (hookId: string) => monitorsIpc.deleteWebhook(hookId),
    onSuccess: (_, hookId) => {
      refresh();
      onChange(chosen.filter((c) => c !== hookId));
      setDeleting(null);
    },
  });
  const toggle = (hookId: string, on: boolean) =>
    onChange(on ? [...chosen, hookId] : chosen.filter((c) => c !== hookId));
  const addHook = () => {
    const p = channelProblem(name, url);
    setUrlProblem(p);
    if (!p) add.mutate({ name: name.trim(), url: url.trim(), kind: null });
  };
  return (
    <fieldset className="stack">
      <legend>Tell a team channel (optional, up to {MAX_WEBHOOKS})</legend>
      {loading ? <p className="muted">Loading channels…</p> : null}
      {hooks.map((h) =>
        editing?.id === h.id ? (
          <EditChannel key={h.id} hook={h} onDone={() => setEditing(null)} />
        ) : (
          <div key={h.id} className="row wrap">
            <label className="row">
              <input
                type="checkbox"
                checked={chosen.includes(h.id)}
                onChange={(e) => toggle(h.id, e.currentTarget.checked)}
              />
              {h.name} <span className="muted">({h.kind})</span>
            </label>
            <button
              type="button"
              aria-label={`Send test to ${h.name}`}
              disabled={test.isPending}
              onClick={() => test.mutate(h.id)}
            >
              Send test
            </button>
            <button type="button" aria-label={`Change ${h.name}`} onClick={() => setEditing(h)}>
              Change
            </button>
            <button
              type="button"
              className="danger"
              aria-label={`Delete ${h.name}`}
              onClick={() => setDeleting(h)}
            >
              Delete
            </button>
            {tested[h.id] ? <span role="status">{testWords(tested[h.id])}</span> : null}
          </div>
        ),
      )}
      <div className="row">
        <label className="stack">
          Channel name
          <input type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label className="stack">
          Webhook address
          <input
            type="url"
            value={url}
            placeholder="https://hooks.slack.com/services/…"
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </label>
        <button type="button" onClick={addHook} disabled={add.isPending}>
          Add channel
        </button>
      </div>
      {urlProblem ? (
        <p className="field-error" role="alert">
          {urlProblem}
        </p>
      ) : null}
      {[add, test, remove].map((m) =>
        m.isError ? <ErrorNotice key={String(m.submittedAt)} error={m.error} /> : null,
      )}
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          cancelLabel="Keep the channel"
          confirmLabel="Delete channel"
          danger
          busy={remove.isPending}
          onCancel={() => setDeleting(null)}
          onConfirm={() => remove.mutate(deleting.id)}
        >
          Every monitor and job that tells this channel stops telling it. This cannot be undone.
        </ConfirmDialog>
      ) : null}
    </fieldset>
  );
}

/** A channel's name and address, changed in place. */
function EditChannel({ hook, onDone }: { hook: WebhookSummary; onDone: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState(hook.name);
  const [url, setUrl] = useState(hook.url);
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (v: { id: string; change: NewWebhook }) =>
      monitorsIpc.updateWebhook(v.id, v.change),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: webhooksKey });
      onDone();
    },
  });
  const submit = () => {
    const p = channelProblem(name, url);
    setProblem(p);
    if (!p) {
      save.mutate({ id: hook.id, change: { name: name.trim(), url: url.trim(), kind: null } });
    }
  };
  return (
    // A group, not a form: it sits inside the monitor's own form.
    <fieldset className="stack card" aria-label={`Change ${hook.name}`}>
      <div className="row wrap">
        <label className="stack">
          New channel name
          <input type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label className="stack">
          New webhook address
          <input type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </label>
      </div>
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      {save.isError ? <ErrorNotice error={save.error} /> : null}
      <div className="row">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={submit} disabled={save.isPending}>
          Save channel
        </button>
      </div>
    </fieldset>
  );
}
