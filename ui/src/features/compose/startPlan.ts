// What "Start job" will do, in words, and when it must ask first.
import { formatCount } from "../../lib/format";
import type { PlanLimit, QueryCheck } from "../../lib/ipc";
import { type ComposeState, PRESETS, parseLimit } from "./draftState";

/** Settings' default for "ask before starting jobs above N records". */
export const DEFAULT_CONFIRM_ABOVE = 1000;
/** The service's default date window, in days. */
export const SERVICE_DEFAULT_DAYS = 5;
/**
 * Queries longer than this get the service's check before they are sent:
 * the service states no hard limit, its check says when one is too long.
 */
export const LONG_QUERY_CHARS = 500;

const dayFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

export function formatDay(iso: string): string {
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(d.getTime()) ? iso : dayFormat.format(d);
}

/** "last 7 days", "1 Jan 2025 to 20 Jan 2025", "last 5 days (service default)". */
export function windowInWords(s: Pick<ComposeState, "preset" | "startDate" | "endDate">): string {
  const preset = PRESETS.find((p) => p.id === s.preset);
  if (preset) return preset.label.toLowerCase();
  if (s.startDate && s.endDate) return `${formatDay(s.startDate)} to ${formatDay(s.endDate)}`;
  if (s.startDate) return `from ${formatDay(s.startDate)}`;
  if (s.endDate) return `until ${formatDay(s.endDate)}`;
  return `last ${SERVICE_DEFAULT_DAYS} days (service default)`;
}

/** "up to 1,000 records", or the plan's maximum when the limit is empty. */
export function limitInWords(limit: string, planMax: number | null): string {
  const n = parseLimit(limit);
  if (n != null) return `up to ${formatCount(n)} records`;
  return planMax != null
    ? `up to ${formatCount(planMax)} records (plan maximum)`
    : "your plan's maximum records";
}

/** The Start button's text: what will happen when it is pressed. */
export function startLabel(s: ComposeState, planMax: number | null): string {
  const parts = ["Start job", limitInWords(s.limit, planMax), windowInWords(s)];
  if (s.mode === "lite") parts.push("Quick");
  return parts.join(" · ");
}

/** An empty limit (the plan's maximum) or one above the threshold asks first. */
export function needsConfirm(limit: string, threshold: number): boolean {
  const n = parseLimit(limit);
  return n == null || n > threshold;
}

/** "1,000", "100000", "yes" → a number where there is one. */
function planNumber(v: string | null): number | null {
  if (v == null) return null;
  const t = v.replace(/[,\s_]/g, "");
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : null;
}

export type PlanFigures = {
  maxResults: number | null;
  credits: { left: number; total: number } | null;
};

/** The figures the composer needs from the plan's limits, where the plan reports them. */
export function planFigures(limits: PlanLimit[] | undefined): PlanFigures {
  const find = (code: string) =>
    limits?.find((l) => l.code.toLowerCase() === code.toLowerCase()) ?? null;
  const max = find("Job_Max_Results");
  const credits = find("monthly_free_credits");
  const total = planNumber(credits?.value ?? null);
  const used = planNumber(credits?.currentUsage ?? null);
  return {
    maxResults: planNumber(max?.value ?? null),
    credits: total != null ? { left: Math.max(0, total - (used ?? 0)), total } : null,
  };
}

/** The check's word that a query is too long, in plain language; null if it is not. */
export function tooLongMessage(check: QueryCheck): string | null {
  if (!check.issues.includes("too_long")) return null;
  const advice = check.suggestions.find((s) => s.issue === "too_long")?.message;
  return `The service does not take a query this long. ${
    advice ?? "Keep one kind of event and the key constraints, and move background to the context."
  }`;
}

/** The service's date notes name ISO dates; the app shows "20 Jan 2025". */
export function datesInWords(message: string): string {
  return message.replace(/\b\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?/g, (iso) =>
    formatDay(iso),
  );
}
