// Schedules as the user picks them, checks before any request, and the
// next run worked out from the service's 5-field cron in the monitor's zone.

export const PRESETS = [
  { id: "weekday", label: "Every weekday at 9:00", text: "every weekday at 9:00" },
  { id: "monday", label: "Every Monday at 9:00", text: "every Monday at 9:00" },
  { id: "daily", label: "Every day at 9:00", text: "every day at 9:00" },
] as const;

export const MIN_LIMIT = 10;
export const MAX_WEBHOOKS = 5;

/** The computer's timezone (IANA), the default for a new monitor. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Plain-language problems with a new monitor, before anything is sent. */
export function monitorProblems(
  schedule: string,
  limit: number | null,
  webhooks: number,
): string[] {
  const out: string[] = [];
  if (!schedule.trim()) out.push('Say when it should run, for example "every weekday at 9am".');
  if (limit != null && (!Number.isInteger(limit) || limit < MIN_LIMIT)) {
    out.push(`A run must ask for at least ${MIN_LIMIT} records.`);
  }
  if (webhooks > MAX_WEBHOOKS) out.push(`Choose at most ${MAX_WEBHOOKS} team channels.`);
  return out;
}

/** Why a webhook address cannot be used, or null. */
export function webhookUrlProblem(url: string): string | null {
  const text = url.trim();
  if (!text) return "Give the channel's webhook address.";
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return "That is not a web address (https://…).";
  }
  if (u.protocol !== "https:") return "A webhook address must start with https://.";
  if (/^[\d.]+$/.test(u.hostname) || u.hostname.startsWith("[")) {
    return "A webhook address must use a host name, not an IP address.";
  }
  return null;
}

function field(spec: string, min: number, max: number): Set<number> | null {
  if (spec === "*") return null;
  const out = new Set<number>();
  for (const part of spec.split(",")) {
    const [a, b] = part.split("-").map(Number);
    if (Number.isNaN(a)) return null;
    for (let v = a; v <= (b ?? a); v++) if (v >= min && v <= max) out.add(v);
  }
  return out;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function wall(t: Date, zone: string): { day: number; hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    weekday: "short",
    hour: "numeric",
    minute: "numeric",
    hourCycle: "h23",
  }).formatToParts(t);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    day: DAYS.indexOf(get("weekday")),
    hour: Number(get("hour")),
    minute: Number(get("minute")),
  };
}

/**
 * The first time after `now` that `cron` ("M H * * DOW", the shapes the
 * service stores) fires in `zone`; null when it cannot be read.
 */
export function nextRun(cron: string | null, zone: string | null, now = new Date()): Date | null {
  if (!cron) return null;
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5 || f[2] !== "*" || f[3] !== "*") return null;
  const minute = Number(f[0]);
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) return null;
  const hours = field(f[1], 0, 23);
  const days = field(f[4].replace("7", "0"), 0, 6);
  const tz = zone || "UTC";
  try {
    wall(now, tz);
  } catch {
    return null;
  }
  // Whole minutes from the next one on; hours that cannot match are skipped.
  let t = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);
  const end = now.getTime() + 9 * 86_400_000;
  while (t.getTime() < end) {
    const w = wall(t, tz);
    if ((days && !days.has(w.day)) || (hours && !hours.has(w.hour))) {
      t = new Date(t.getTime() + (60 - w.minute) * 60_000);
      continue;
    }
    if (w.minute === minute) return t;
    const step = w.minute < minute ? minute - w.minute : 60 - w.minute;
    t = new Date(t.getTime() + step * 60_000);
  }
  return null;
}
