import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { Field } from "../../app/Field";
import { useNav } from "../../app/nav";
import { type FieldProblem, ipc, type JobDraft } from "../../lib/ipc";
import { jobKey, jobsListKey } from "../watch/jobState";
import {
  type ComposeState,
  emptyState,
  fromDraft,
  localProblems,
  mergeProblems,
  newUid,
  PRESETS,
  presetDates,
  toDraft,
} from "./draftState";
import { QueryCheckPanel } from "./QueryCheckPanel";
import { SourceGroupsPicker } from "./SourceGroupsPicker";
import { SpecList } from "./SpecList";

export const AUTOSAVE_MS = 700;
const CHECK_MS = 400;

type SaveState = "idle" | "pending" | "saved" | "failed";

export function Compose({ active = true }: { active?: boolean }) {
  const nav = useNav();
  const client = useQueryClient();
  const id = useId();
  const [state, setState] = useState<ComposeState>(emptyState);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [dirty, setDirty] = useState(0);
  const [saveState, setSaveState] = useState<SaveState>("idle");
  const [engineProblems, setEngineProblems] = useState<FieldProblem[]>([]);
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const [attempted, setAttempted] = useState(false);
  const [dateMessages, setDateMessages] = useState<string[]>([]);
  const formRef = useRef<HTMLFormElement>(null);

  // Restore the saved draft once, before the user can type over it.
  useEffect(() => {
    let cancelled = false;
    ipc
      .loadDraft()
      .then((d) => {
        if (!cancelled && d) setState(fromDraft(d));
      })
      .catch((e) => !cancelled && setLoadError(e))
      .finally(() => !cancelled && setLoaded(true));
    return () => {
      cancelled = true;
    };
  }, []);

  const edit = useCallback((patch: Partial<ComposeState>) => {
    setState((s) => ({ ...s, ...patch }));
    setDirty((n) => n + 1);
  }, []);

  // "Run again with edits": another screen hands over a draft.
  const incomingNonce = nav.incoming?.nonce;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per hand-over
  useEffect(() => {
    if (!nav.incoming) return;
    setState(fromDraft(nav.incoming.draft));
    setAttempted(false);
    setTouched(new Set());
    setDateMessages([]);
    setDirty((n) => n + 1);
  }, [incomingNonce]);

  const draft: JobDraft = useMemo(() => toDraft(state), [state]);

  // Save as the user types (debounced); flush when leaving the screen.
  const latest = useRef(draft);
  latest.current = draft;
  const pendingSave = useRef<ReturnType<typeof setTimeout> | null>(null);
  const flush = useCallback(async () => {
    if (pendingSave.current) clearTimeout(pendingSave.current);
    pendingSave.current = null;
    try {
      await ipc.saveDraft(latest.current);
      setSaveState("saved");
    } catch {
      setSaveState("failed");
    }
  }, []);
  useEffect(() => {
    if (!loaded || dirty === 0) return;
    setSaveState("pending");
    if (pendingSave.current) clearTimeout(pendingSave.current);
    pendingSave.current = setTimeout(() => void flush(), AUTOSAVE_MS);
  }, [dirty, loaded, flush]);
  useEffect(() => {
    if (!active && pendingSave.current) void flush();
  }, [active, flush]);
  useEffect(
    () => () => {
      if (pendingSave.current) void flush();
    },
    [flush],
  );

  // The engine's own checks, debounced; they add what the screen cannot know.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reruns on every draft change; reads the latest draft
  useEffect(() => {
    if (!loaded) return;
    let cancelled = false;
    const t = setTimeout(() => {
      ipc
        .checkDraft(latest.current)
        .then((p) => !cancelled && setEngineProblems(p))
        .catch(() => {
          // Local checks still apply; the submit will report anything else.
        });
    }, CHECK_MS);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
  }, [draft, loaded]);

  const local = useMemo(() => localProblems(state), [state]);
  const problems = useMemo(() => mergeProblems(local, engineProblems), [local, engineProblems]);
  const showProblem = useCallback(
    (field: string) => attempted || touched.has(field),
    [attempted, touched],
  );
  const touch = useCallback(
    (field: string) =>
      setTouched((t) => {
        if (t.has(field)) return t;
        const next = new Set(t);
        next.add(field);
        return next;
      }),
    [],
  );

  const check = useMutation({ mutationFn: (query: string) => ipc.validateQuery(query) });
  const suggest = useMutation({
    mutationFn: () => ipc.initializeQuery(draft.query, draft.context),
    onSuccess: (s) => {
      const patch: Partial<ComposeState> = {
        validators: s.validators.map((v) => ({ ...v, uid: newUid() })),
        enrichments: s.enrichments.map((v) => ({ ...v, uid: newUid() })),
      };
      if (s.startDate || s.endDate) {
        patch.startDate = s.startDate ?? state.startDate;
        patch.endDate = s.endDate ?? state.endDate;
        patch.preset = null;
      }
      setDateMessages(s.dateMessages);
      edit(patch);
    },
  });
  const submit = useMutation({
    mutationFn: (d: JobDraft) => ipc.submitJob(d),
    onSuccess: (snap) => {
      client.setQueryData(jobKey(snap.summary.localId), snap);
      void client.invalidateQueries({ queryKey: jobsListKey });
      nav.openJob(snap.summary.localId);
    },
  });

  async function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setAttempted(true);
    let engine: FieldProblem[] = engineProblems;
    try {
      engine = await ipc.checkDraft(draft);
      setEngineProblems(engine);
    } catch {
      // Fall back to the local checks.
    }
    if (Object.keys(mergeProblems(local, engine)).length > 0) {
      // Let React paint the messages, then move to the first one.
      setTimeout(() => {
        formRef.current?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
      }, 0);
      return;
    }
    await flush();
    submit.mutate(draft);
  }

  const fieldError = (field: string) =>
    showProblem(field) && problems[field] ? problems[field] : undefined;
  const errorCount = Object.keys(problems).length;
  const dateValue = (iso: string) => iso.slice(0, 10);

  if (!loaded) return <p>Opening your draft…</p>;

  return (
    <section aria-labelledby={`${id}-title`} className="compose">
      <h2 id={`${id}-title`}>New job</h2>
      <ErrorNotice error={loadError} />
      <form ref={formRef} className="stack" onSubmit={onSubmit} noValidate>
        <TextArea
          id={`${id}-query`}
          label="Query"
          help="Describe the records you want in plain words, e.g. “Series A funding rounds of European fintech startups”."
          value={state.query}
          error={fieldError("query")}
          rows={3}
          onChange={(v) => edit({ query: v })}
          onBlur={() => touch("query")}
        />
        <div className="row">
          <button
            type="button"
            disabled={!state.query.trim() || check.isPending}
            onClick={() => check.mutate(draft.query)}
          >
            {check.isPending ? "Checking…" : "Check query"}
          </button>
        </div>
        <ErrorNotice error={check.error} />
        {check.data ? (
          <QueryCheckPanel
            check={check.data}
            onUseExample={(example) => {
              edit({ query: example });
              check.reset();
            }}
          />
        ) : null}
        <TextArea
          id={`${id}-context`}
          label="Context (optional)"
          help="Anything that helps: who the records are for, what to leave out."
          value={state.context}
          rows={2}
          onChange={(v) => edit({ context: v })}
        />

        <fieldset className="stack">
          <legend>Date window</legend>
          <div className="presets">
            <PresetButton
              name={`${id}-preset`}
              label="Service default"
              checked={!state.startDate && !state.endDate}
              onSelect={() => edit({ startDate: "", endDate: "", preset: null })}
            />
            {PRESETS.map((p) => (
              <PresetButton
                name={`${id}-preset`}
                key={p.id}
                label={p.label}
                checked={state.preset === p.id}
                onSelect={() => edit({ ...presetDates(p.hours), preset: p.id })}
              />
            ))}
          </div>
          <div className="row">
            <DateField
              id={`${id}-start`}
              label="From"
              value={dateValue(state.startDate)}
              error={fieldError("startDate")}
              onChange={(v) => edit({ startDate: v, preset: null })}
              onBlur={() => touch("startDate")}
            />
            <DateField
              id={`${id}-end`}
              label="To"
              value={dateValue(state.endDate)}
              error={fieldError("endDate")}
              onChange={(v) => edit({ endDate: v, preset: null })}
              onBlur={() => touch("endDate")}
            />
          </div>
          <p className="help">At most 30 days. Dates are in UTC.</p>
          {dateMessages.length > 0 ? (
            <div className="notice notice-info" role="status">
              <strong>The service adjusted the dates</strong>
              <ul>
                {dateMessages.map((m) => (
                  <li key={m}>{m}</li>
                ))}
              </ul>
            </div>
          ) : null}
        </fieldset>

        <div className="row wrap">
          <div className="field">
            <label htmlFor={`${id}-limit`}>Maximum records</label>
            <input
              id={`${id}-limit`}
              inputMode="numeric"
              value={state.limit}
              aria-invalid={fieldError("limit") ? true : undefined}
              aria-describedby={`${id}-limit-help${fieldError("limit") ? ` ${id}-limit-err` : ""}`}
              onChange={(e) => edit({ limit: e.target.value })}
              onBlur={() => touch("limit")}
            />
            <p id={`${id}-limit-help`} className="help">
              At least 10. Leave empty for your plan's maximum.
            </p>
            {fieldError("limit") ? (
              <p id={`${id}-limit-err`} className="field-error">
                {fieldError("limit")}
              </p>
            ) : null}
          </div>
          <fieldset className="mode">
            <legend>What to collect</legend>
            <label className="check">
              <input
                type="radio"
                name={`${id}-mode`}
                checked={state.mode === "base"}
                onChange={() => edit({ mode: "base" })}
              />
              Full records with enrichments
            </label>
            <label className="check">
              <input
                type="radio"
                name={`${id}-mode`}
                checked={state.mode === "lite"}
                onChange={() => edit({ mode: "lite" })}
              />
              Quick: titles and citations only
            </label>
          </fieldset>
        </div>

        <SourceGroupsPicker
          value={state.sourceGroups}
          onChange={(sourceGroups) => {
            edit({ sourceGroups });
            touch("sourceGroups");
          }}
          error={fieldError("sourceGroups")}
        />

        <div className="row">
          <button
            type="button"
            disabled={!state.query.trim() || suggest.isPending}
            onClick={() => suggest.mutate()}
          >
            {suggest.isPending ? "Getting suggestions…" : "Get suggestions"}
          </button>
          <span className="help">Fills the lists below with the service's proposals.</span>
        </div>
        <ErrorNotice error={suggest.error} />

        <SpecList
          list="validators"
          items={state.validators}
          onChange={(validators) => edit({ validators })}
          problems={problems}
          showProblem={showProblem}
          onTouch={touch}
        />
        <SpecList
          list="enrichments"
          items={state.enrichments}
          onChange={(enrichments) => edit({ enrichments })}
          problems={problems}
          showProblem={showProblem}
          onTouch={touch}
        />

        {attempted && errorCount > 0 ? (
          <p className="field-error" role="alert">
            Please fix the {errorCount === 1 ? "marked field" : `${errorCount} marked fields`}{" "}
            first.
          </p>
        ) : null}
        {problems[""] ? <p className="field-error">{problems[""]}</p> : null}
        <ErrorNotice error={submit.error} />
        <div className="row">
          <button type="submit" className="primary" disabled={submit.isPending}>
            {submit.isPending ? "Starting…" : "Start job"}
          </button>
          <span className="muted" aria-live="polite">
            {saveState === "saved" ? "Draft saved" : null}
            {saveState === "pending" ? "Saving draft…" : null}
            {saveState === "failed" ? "The draft could not be saved" : null}
          </span>
        </div>
      </form>
    </section>
  );
}

function TextArea(props: {
  id: string;
  label: string;
  help?: string;
  value: string;
  error?: string;
  rows: number;
  onChange: (v: string) => void;
  onBlur?: () => void;
}) {
  return (
    <Field id={props.id} label={props.label} help={props.help} error={props.error}>
      {(control) => (
        <textarea
          {...control}
          rows={props.rows}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          onBlur={props.onBlur}
        />
      )}
    </Field>
  );
}

function DateField(props: {
  id: string;
  label: string;
  value: string;
  error?: string;
  onChange: (v: string) => void;
  onBlur: () => void;
}) {
  return (
    <Field id={props.id} label={props.label} error={props.error}>
      {(control) => (
        <input
          {...control}
          type="date"
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          onBlur={props.onBlur}
        />
      )}
    </Field>
  );
}

function PresetButton({
  name,
  label,
  checked,
  onSelect,
}: {
  name: string;
  label: string;
  checked: boolean;
  onSelect: () => void;
}) {
  return (
    <label className={`chip${checked ? " chip-on" : ""}`}>
      <input type="radio" name={name} checked={checked} onChange={onSelect} />
      {label}
    </label>
  );
}
