import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { Field } from "../../app/Field";
import { useNav } from "../../app/nav";
import { formatCount, shorten } from "../../lib/format";
import { type FieldProblem, ipc, type JobDraft } from "../../lib/ipc";
import { ProjectPicker } from "../projects/ProjectPicker";
import { takeSnapshot } from "../watch/jobState";
import { CompanyScope } from "../watchlists/CompanyScope";
import { ConfirmReplace, ConfirmStart } from "./ConfirmStart";
import {
  type ComposeState,
  emptyState,
  freshDates,
  fromDraft,
  localProblems,
  mergeProblems,
  PRESETS,
  presetDates,
  toDraft,
} from "./draftState";
import { ProposalsPanel } from "./ProposalsPanel";
import { QueryCheckPanel } from "./QueryCheckPanel";
import { SourceGroupsPicker } from "./SourceGroupsPicker";
import { SpecList } from "./SpecList";
import {
  DEFAULT_CONFIRM_ABOVE,
  datesInWords,
  LONG_QUERY_CHARS,
  needsConfirm,
  planFigures,
  startLabel,
  tooLongMessage,
  windowInWords,
} from "./startPlan";
import {
  acceptRows,
  hasProposals,
  mergeSuggestions,
  type Proposals,
  suggestedRowCount,
} from "./suggestions";
import { SaveTemplate, TemplateGallery } from "./TemplateGallery";

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
  const [confirming, setConfirming] = useState(false);
  const [submitted, setSubmitted] = useState<string | null>(null);
  const draftKeyRef = useRef("");
  const [proposals, setProposals] = useState<Proposals | null>(null);
  const [suggestedFor, setSuggestedFor] = useState<string | null>(null);
  const [undo, setUndo] = useState<{
    state: ComposeState;
    proposals: Proposals | null;
    dateMessages: string[];
  } | null>(null);
  /** The check's "too long" for this exact query; clears once the query changes. */
  const [longQuery, setLongQuery] = useState<{ query: string; message: string } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const settings = useQuery({ queryKey: ["settings"], queryFn: ipc.getSettings, enabled: active });
  const threshold = settings.data?.confirmAboveRecords ?? DEFAULT_CONFIRM_ABOVE;
  const limits = useQuery({
    queryKey: ["planLimits"],
    queryFn: ipc.planLimits,
    enabled: active && loaded,
    staleTime: 60_000,
    retry: false,
  });
  const plan = useMemo(() => planFigures(limits.data), [limits.data]);

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
    // The service's note on dates is about the dates it saw.
    if ("startDate" in patch || "endDate" in patch) setDateMessages([]);
    // Undo covers the last suggestion step only, never the analyst's edits.
    setUndo(null);
  }, []);
  const replace = useCallback((next: ComposeState) => {
    setState(next);
    setDirty((n) => n + 1);
  }, []);
  const stateRef = useRef(state);
  stateRef.current = state;

  // "Run again with edits": another screen hands over a draft. A draft
  // with work in it is not replaced without asking.
  const [handOver, setHandOver] = useState<JobDraft | null>(null);
  const takeDraft = useCallback((d: JobDraft) => {
    setState(fromDraft(d));
    setAttempted(false);
    setTouched(new Set());
    setDateMessages([]);
    setProposals(null);
    setSuggestedFor(null);
    setUndo(null);
    setHandOver(null);
    setDirty((n) => n + 1);
  }, []);
  const offerDraft = useCallback(
    (d: JobDraft) => {
      const current = stateRef.current;
      if (current.query.trim() && current.query.trim() !== d.query.trim()) setHandOver(d);
      else takeDraft(d);
    },
    [takeDraft],
  );
  const incomingNonce = nav.incoming?.nonce;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once per hand-over
  useEffect(() => {
    if (nav.incoming) offerDraft(nav.incoming.draft);
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
  const checkedQuery = check.variables;
  const suggest = useMutation({
    mutationFn: (v: { query: string; context: string | null }) =>
      ipc.initializeQuery(v.query, v.context),
    onSuccess: (s, { query }) => {
      const before = stateRef.current;
      const merged = mergeSuggestions(before, s, query);
      setUndo({ state: before, proposals, dateMessages });
      setProposals(hasProposals(merged.proposals) ? merged.proposals : null);
      setSuggestedFor(query);
      setDateMessages(s.dateMessages);
      replace(merged.state);
    },
  });
  const getSuggestions = () => suggest.mutate({ query: draft.query, context: draft.context });
  const acceptProposals = (which?: { list: "validators" | "enrichments"; name: string }) => {
    if (!proposals) return;
    const next = acceptRows(stateRef.current, proposals, which);
    setUndo({ state: stateRef.current, proposals, dateMessages });
    setProposals(hasProposals(next.proposals) ? next.proposals : null);
    replace(next.state);
  };
  const undoSuggestions = () => {
    if (!undo) return;
    setProposals(undo.proposals);
    setDateMessages(undo.dateMessages);
    setUndo(null);
    replace(undo.state);
  };
  const staleSuggestions =
    suggestedFor != null &&
    suggestedFor !== draft.query &&
    (hasProposals(proposals) || suggestedRowCount(state) > 0);
  const submit = useMutation({
    mutationFn: (d: JobDraft) => ipc.submitJob(d),
    onMutate: () => setSubmitted(draftKeyRef.current),
    onSuccess: (snap) => {
      takeSnapshot(client, snap);
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
      focusFirstProblem();
      return;
    }
    // A long query gets the service's verdict before it is sent.
    if (draft.query.length > LONG_QUERY_CHARS) {
      let verdict = checkedQuery === draft.query ? check.data : undefined;
      if (!verdict) {
        try {
          verdict = await ipc.validateQuery(draft.query);
        } catch {
          // No verdict to go by: the submit itself will report trouble.
        }
      }
      const message = verdict ? tooLongMessage(verdict) : null;
      if (message) {
        setLongQuery({ query: draft.query, message });
        focusFirstProblem();
        return;
      }
    }
    if (needsConfirm(state.limit, threshold)) {
      setConfirming(true);
      return;
    }
    await start();
  }

  function focusFirstProblem() {
    // Let React paint the messages, then move to the first one.
    setTimeout(() => {
      formRef.current?.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
    }, 0);
  }

  async function start() {
    setConfirming(false);
    await flush();
    const now = toDraft(freshDates(state));
    // Quick jobs take no enrichments; the draft keeps them for a Full job.
    submit.mutate(now.mode === "lite" ? { ...now, enrichments: null } : now);
  }

  const draftKey = JSON.stringify(draft);
  draftKeyRef.current = draftKey;
  const fieldError = (field: string) => {
    if (field === "query" && longQuery && longQuery.query === draft.query) return longQuery.message;
    return showProblem(field) && problems[field] ? problems[field] : undefined;
  };
  const errorCount = Object.keys(problems).length;
  const dateValue = (iso: string) => iso.slice(0, 10);

  if (!loaded) return <p>Opening your draft…</p>;

  return (
    <section aria-labelledby={`${id}-title`} className="compose">
      <h2 id={`${id}-title`}>New job</h2>
      <ErrorNotice error={loadError} />
      <TemplateGallery current={draft} onUse={offerDraft} />
      <form
        ref={formRef}
        className="stack"
        onSubmit={onSubmit}
        noValidate
        onKeyDown={(e) => {
          // Only the Start button starts a job: Enter in a one-line field
          // (the limit, a name) would otherwise submit the form.
          if (e.key === "Enter" && (e.target as HTMLElement).tagName === "INPUT")
            e.preventDefault();
        }}
      >
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
            stale={checkedQuery !== draft.query}
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
                  <li key={m}>{datesInWords(m)}</li>
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
              At least 10. Empty means your plan's maximum
              {plan.maxResults != null ? ` (${formatCount(plan.maxResults)})` : ""}. Above{" "}
              {formatCount(threshold)} you are asked before the job starts.
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

        <CompanyScope
          value={state.watchlist}
          onChange={(watchlist) => {
            edit({ watchlist });
            touch("watchlist");
          }}
        />
        <ProjectPicker
          label="Project"
          value={state.projectId}
          onChange={(projectId) => edit({ projectId })}
        />

        <div className="row wrap">
          <button
            type="button"
            disabled={!state.query.trim() || suggest.isPending}
            onClick={getSuggestions}
          >
            {suggest.isPending ? "Getting suggestions…" : "Get suggestions"}
          </button>
          <span className="help">
            Proposes validators and enrichments; your own rows and dates are kept.
          </span>
          {undo ? (
            <span className="row" role="status">
              Suggestions applied.
              <button type="button" onClick={undoSuggestions}>
                Undo suggestions
              </button>
            </span>
          ) : null}
        </div>
        <ErrorNotice error={suggest.error} />
        {staleSuggestions ? (
          <div className="notice notice-warning" role="status">
            <strong>The suggestions came from the previous wording of the query</strong>
            <p>
              They were made for “{shorten(suggestedFor ?? "", 100)}” and may not fit the query now.
            </p>
            <button type="button" disabled={suggest.isPending} onClick={getSuggestions}>
              Refresh suggestions
            </button>
          </div>
        ) : null}
        {proposals && hasProposals(proposals) ? (
          <ProposalsPanel
            proposals={proposals}
            onAcceptAll={() => acceptProposals()}
            onAcceptOne={(list, name) => acceptProposals({ list, name })}
            onUseDates={() => {
              if (!proposals.dates) return;
              const before = stateRef.current;
              setUndo({ state: before, proposals, dateMessages });
              setProposals({ ...proposals, dates: null });
              replace({ ...before, ...proposals.dates, preset: null });
            }}
            onDismiss={() => setProposals(null)}
          />
        ) : null}

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
          disabledReason={
            state.mode === "lite"
              ? "Quick jobs collect titles and citations only, so enrichments are not used (yours are kept for a Full job)."
              : undefined
          }
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
        {/* A refusal is about what was sent: it goes once the draft changes. */}
        <ErrorNotice error={submitted === draftKey ? submit.error : null} />
        <div className="row">
          <button type="submit" className="primary" disabled={submit.isPending}>
            {submit.isPending ? "Starting…" : startLabel(state, plan.maxResults)}
          </button>
          <SaveTemplate draft={draft} />
          <span className="muted" aria-live="polite">
            {saveState === "saved" ? "Draft saved" : null}
            {saveState === "pending" ? "Saving draft…" : null}
            {saveState === "failed" ? "The draft could not be saved" : null}
          </span>
        </div>
      </form>
      {handOver ? (
        <ConfirmReplace
          current={state.query}
          incoming={handOver.query}
          onKeep={() => setHandOver(null)}
          onReplace={() => takeDraft(handOver)}
        />
      ) : null}
      {confirming ? (
        <ConfirmStart
          limit={state.limit}
          window={windowInWords(state)}
          threshold={threshold}
          plan={plan}
          planPending={limits.isPending && limits.fetchStatus !== "idle"}
          onCancel={() => setConfirming(false)}
          onConfirm={() => void start()}
        />
      ) : null}
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
