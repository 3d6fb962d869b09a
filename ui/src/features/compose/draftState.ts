// The composer's state and its local checks. Lists carry a `uid` so React
// keeps focus and edits on the right row while rows move.
import type {
  EnrichmentSpec,
  FieldKind,
  FieldProblem,
  JobDraft,
  Mode,
  ValidatorSpec,
  WatchlistScope,
} from "../../lib/ipc";

/** "mine": added or edited by the analyst; "suggested": as the service proposed it. */
export type RowSource = "mine" | "suggested";
export type Row<T> = T & { uid: string; source: RowSource };
export type WithUid<T> = Row<T>;

export type ComposeState = {
  query: string;
  context: string;
  /** ISO date or date-time; "" = the service's default. */
  startDate: string;
  endDate: string;
  /** Which preset set the dates (UI only). */
  preset: string | null;
  /** As typed, so a half-typed number is not lost. */
  limit: string;
  mode: Mode;
  /** null = let the service choose. */
  validators: WithUid<ValidatorSpec>[] | null;
  enrichments: WithUid<EnrichmentSpec>[] | null;
  /** Source group slugs ("only these outlets"); empty = all news. */
  sourceGroups: string[];
  /** "About these companies": watchlists and their options (null: none). */
  watchlist: WatchlistScope | null;
  /** The project the job goes in (null: none). */
  projectId: string | null;
};

export const FIELD_KINDS: { kind: FieldKind; label: string }[] = [
  { kind: "text", label: "Text" },
  { kind: "number", label: "Number" },
  { kind: "date", label: "Date" },
  { kind: "option", label: "One of a list" },
  { kind: "url", label: "Web link" },
  { kind: "company", label: "Company" },
];

export const MAX_WINDOW_DAYS = 30;
/** The most source groups one job may name. */
export const MAX_SOURCE_GROUPS = 20;

let counter = 0;
export const newUid = () => `i${++counter}`;

export const emptyState = (): ComposeState => ({
  query: "",
  context: "",
  startDate: "",
  endDate: "",
  preset: null,
  limit: "",
  mode: "base",
  validators: null,
  enrichments: null,
  sourceGroups: [],
  watchlist: null,
  projectId: null,
});

/**
 * A relative window ("last 7 days") behind two dates: presets write whole
 * seconds exactly N hours apart, typed dates are date-only. Null otherwise.
 */
export function presetOf(startDate: string | null, endDate: string | null): string | null {
  if (!startDate?.includes("T") || !endDate?.includes("T")) return null;
  const ms = Date.parse(endDate) - Date.parse(startDate);
  return PRESETS.find((p) => p.hours * 3_600_000 === ms)?.id ?? null;
}

/** A saved draft or an earlier job's request; a relative window counts from `now`. */
export function fromDraft(d: JobDraft, now = new Date()): ComposeState {
  const preset = presetOf(d.startDate, d.endDate);
  const hours = PRESETS.find((p) => p.id === preset)?.hours;
  const dates =
    hours != null
      ? presetDates(hours, now)
      : { startDate: d.startDate ?? "", endDate: d.endDate ?? "" };
  return {
    query: d.query,
    context: d.context ?? "",
    ...dates,
    preset,
    limit: d.limit != null ? String(d.limit) : "",
    mode: d.mode,
    validators:
      d.validators?.map((v) => ({ ...v, uid: newUid(), source: "mine" as const })) ?? null,
    enrichments:
      d.enrichments?.map((v) => ({ ...v, uid: newUid(), source: "mine" as const })) ?? null,
    sourceGroups: d.sourceGroups ?? [],
    watchlist: d.watchlist ?? null,
    projectId: d.projectId ?? null,
  };
}

/** True when the job asks for all news about chosen watchlists (no topic needed). */
export function isAllNews(s: ComposeState): boolean {
  return !!s.watchlist?.allNews && s.watchlist.watchlistIds.length > 0;
}

export function parseLimit(text: string): number | null {
  const t = text.trim().replace(/,/g, "");
  if (!/^\d+$/.test(t)) return null;
  return Number(t);
}

/** The draft to send now: a relative window ends now, not when it was chosen. */
export function freshDates(s: ComposeState, now = new Date()): ComposeState {
  const hours = PRESETS.find((p) => p.id === s.preset)?.hours;
  return hours != null ? { ...s, ...presetDates(hours, now) } : s;
}

/** Exactly what is on screen, as the engine takes it. */
export function toDraft(s: ComposeState): JobDraft {
  return {
    query: s.query.trim(),
    context: s.context.trim() ? s.context.trim() : null,
    startDate: s.startDate || null,
    endDate: s.endDate || null,
    limit: parseLimit(s.limit),
    mode: s.mode,
    validators: s.validators?.map(({ name, description }) => ({ name, description })) ?? null,
    enrichments:
      s.enrichments?.map(({ name, description, kind }) => ({ name, description, kind })) ?? null,
    sourceGroups: s.sourceGroups.length > 0 ? s.sourceGroups : null,
    // Left out unless chosen, so drafts without them read as before.
    ...(s.watchlist && s.watchlist.watchlistIds.length > 0 ? { watchlist: s.watchlist } : {}),
    ...(s.projectId ? { projectId: s.projectId } : {}),
  };
}

const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

function checkNames(
  items: { name: string; description: string }[] | null,
  list: "validators" | "enrichments",
  out: Record<string, string>,
) {
  if (!items) return;
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const name = item.name.trim();
    const key = `${list}.${i}.name`;
    if (!name) out[key] = "Give this a name.";
    else if (!SNAKE.test(name))
      out[key] =
        "Use lowercase letters, digits and underscores, starting with a letter (like funding_amount).";
    else if (seen.has(name)) out[key] = "This name is already used above; names must be unique.";
    seen.add(name);
    if (!item.description.trim()) out[`${list}.${i}.description`] = "Add a short description.";
  });
}

/** Problems found on screen, keyed like the engine's `FieldProblem.field`. */
export function localProblems(s: ComposeState): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s.query.trim() && !isAllNews(s)) out.query = "Describe what you are looking for.";
  if (s.limit.trim()) {
    const n = parseLimit(s.limit);
    if (n == null) out.limit = "Maximum records must be a whole number.";
    else if (n < 10) out.limit = "Maximum records must be at least 10.";
  }
  const start = s.startDate ? Date.parse(s.startDate) : Number.NaN;
  const end = s.endDate ? Date.parse(s.endDate) : Number.NaN;
  if (s.startDate && Number.isNaN(start)) out.startDate = "This is not a date.";
  if (s.endDate && Number.isNaN(end)) out.endDate = "This is not a date.";
  if (!Number.isNaN(start) && !Number.isNaN(end)) {
    if (end < start) out.endDate = "The end date is before the start date.";
    // A day of slack: date-only inputs cover whole days.
    else if (end - start > (MAX_WINDOW_DAYS + 1) * 86_400_000)
      out.endDate = `The date window can be at most ${MAX_WINDOW_DAYS} days.`;
  }
  checkNames(s.validators, "validators", out);
  checkNames(s.enrichments, "enrichments", out);
  if (s.sourceGroups.length > MAX_SOURCE_GROUPS)
    out.sourceGroups = `Choose at most ${MAX_SOURCE_GROUPS} source groups (${s.sourceGroups.length} are chosen).`;
  return out;
}

/** Local messages win; the engine's fill in what the screen cannot know. */
export function mergeProblems(
  local: Record<string, string>,
  engine: FieldProblem[],
): Record<string, string> {
  const out = { ...local };
  for (const p of engine) if (!(p.field in out)) out[p.field] = p.message;
  return out;
}

export function move<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return list;
  const next = list.slice();
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item);
  return next;
}

export const PRESETS: { id: string; label: string; hours: number }[] = [
  { id: "24h", label: "Last 24 hours", hours: 24 },
  { id: "3d", label: "Last 3 days", hours: 72 },
  { id: "5d", label: "Last 5 days", hours: 120 },
  { id: "7d", label: "Last 7 days", hours: 168 },
  { id: "14d", label: "Last 14 days", hours: 336 },
  { id: "30d", label: "Last 30 days", hours: 720 },
];

export function presetDates(
  hours: number,
  now = new Date(),
): { startDate: string; endDate: string } {
  const start = new Date(now.getTime() - hours * 3_600_000);
  // Whole seconds: the service takes plain ISO 8601.
  const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
  return { startDate: iso(start), endDate: iso(now) };
}
