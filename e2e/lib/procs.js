// The app's processes, read from /proc (the specs run in node on the same
// machine as the app): used by the end-to-end test and bench/ui.
import { readdirSync, readFileSync } from "node:fs";

const CLK_TCK = 100;

/** pid, name (comm, cut to 15 characters), parent and start time; null once gone. */
export function procStat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = s.slice(s.lastIndexOf(")") + 2).split(" ");
    // Start time from the process's age (uptime − starttime, 10 ms ticks).
    const uptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
    const ageMs = (uptime - Number(rest[19]) / CLK_TCK) * 1000;
    return {
      pid,
      comm: s.slice(s.indexOf("(") + 1, s.lastIndexOf(")")),
      ppid: Number(rest[1]),
      startEpochMs: Date.now() - ageMs,
    };
  } catch {
    return null;
  }
}

export function allProcs() {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .map(procStat)
    .filter(Boolean);
}

/** The environment a process started with ("NAME=value" strings); [] when unreadable. */
export function environ(pid) {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/**
 * The newest process named `comm` (the binary's name cut to 15 characters)
 * running on `dataDir` (another app may run at the same time, e.g. the e2e
 * suite's beside the bench's).
 */
export function appProcess(comm, dataDir) {
  const mine = allProcs().filter(
    (p) => p.comm === comm && environ(p.pid).includes(`CATCHALL_DATA_DIR=${dataDir}`),
  );
  mine.sort((a, b) => b.startEpochMs - a.startEpochMs);
  return mine[0];
}
