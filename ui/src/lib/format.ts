// Numbers, dates and stage names in plain words.
import type { Mode, Progress } from "./ipc";

const numberFormat = new Intl.NumberFormat("en-US");

export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** "1,204 candidates · 880 checked · 96 found"; empty when nothing is known yet. */
export function progressInWords(p: Progress): string {
  const parts: string[] = [];
  if (p.candidateRecords != null) parts.push(`${formatCount(p.candidateRecords)} candidates`);
  if (p.progressValidated != null) parts.push(`${formatCount(p.progressValidated)} checked`);
  if (p.validRecords != null) parts.push(`${formatCount(p.validRecords)} found`);
  return parts.join(" · ");
}

export const STAGES = [
  "submitted",
  "analyzing",
  "fetching",
  "clustering",
  "enriching",
  "completed",
] as const;

const STAGE_WORDS: Record<string, string> = {
  queued: "Waiting to start",
  submitted: "Submitted",
  analyzing: "Analyzing",
  fetching: "Fetching articles",
  clustering: "Grouping",
  enriching: "Enriching",
  completed: "Completed",
  failed: "Failed",
};

export function stageInWords(stage: string): string {
  return STAGE_WORDS[stage] ?? stage.charAt(0).toUpperCase() + stage.slice(1).replace(/_/g, " ");
}

export function modeInWords(mode: Mode | string | null): string {
  if (mode === "lite") return "Quick";
  if (mode === "base") return "Full";
  return mode ? String(mode) : "—";
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** "2 min 05 s", "1 h 03 min", "12 s". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, "0")} s`;
  return `${sec} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** At most `max` characters, cut at a word and ended with an ellipsis. */
export function shorten(text: string, max = 140): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
