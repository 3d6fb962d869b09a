// Medians across runs of bench/ui results (run-*.json in the given dir).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
const dir = process.argv[2];
const all = readdirSync(dir).filter((f) => /^run-.*\.json$/.test(f)).map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
const runs = all.filter((r) => !r.launchOnly);
const empty = all.filter((r) => r.launchOnly && !r.peer);
// The launch peer: a bare Tauri window with a static page (bench/launch-peer).
const peer = all.filter((r) => r.peer);
const nums = (a) => a.filter((x) => typeof x === "number").sort((x, y) => x - y);
const median = (a) => {
  const s = nums(a);
  if (!s.length) return undefined;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const med = (a) => {
  const s = nums(a);
  if (!s.length) return "n/a";
  return `${median(s).toFixed(1)} (runs: ${s.map((x) => x.toFixed(1)).join(", ")})`;
};
const g = (f) => runs.map((r) => { try { return f(r); } catch { return undefined; } });
console.log(`runs: ${runs.length}   loadavg at end of each run: ${runs.map((r) => r.loadavg).join(" | ")}`);
// Launches timed by the X server (bench/launch-watch), app and peer alternating.
const xfile = join(dir, "xlaunch.jsonl");
const xs = existsSync(xfile) ? readFileSync(xfile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
if (xs.length) {
  const settled = (who) => xs.filter((x) => x.who === who).map((x) => x.settled_ms);
  const [ours, floor] = [median(settled("app")), median(settled("peer"))];
  const under = nums(settled("app")).filter((x) => x <= 600).length;
  console.log(`1. launch → first screen painted, seen by the X server (no WebDriver), ms: ${med(settled("app"))}; ${under} of ${settled("app").length} ≤ 600   [aim ≤ 600]`);
  console.log(`   peer, a bare Tauri window: ${med(settled("peer"))}; ours / peer: ${ours !== undefined && floor ? `${(ours / floor).toFixed(2)}×` : "n/a"}; first drawing (window shown): app ${med(xs.filter((x) => x.who === "app").map((x) => x.first_paint_ms))}, peer ${med(xs.filter((x) => x.who === "peer").map((x) => x.first_paint_ms))}; timed out (never settled): ${xs.filter((x) => x.timed_out).length}`);
}
console.log(`${xs.length ? "   through WebDriver (its first command runs once the screen is there)" : "1. launch"}: app process start → first-run screen usable, ms: ${med(g((r) => r.launch.processStartToInteractiveMs))}${xs.length ? "" : "   [aim ≤ 600]"}`);
console.log(`   session request → usable: ${med(g((r) => r.launch.sessionRequestToInteractiveMs))}; navigationStart → usable: ${med(g((r) => r.launch.navigationStartToInteractiveMs))}; process start → navigationStart: ${med(g((r) => r.launch.processStartToNavigationStartMs))}`);
console.log(`   DOMContentLoaded: ${med(g((r) => r.launch.domContentLoaded))}; first-contentful-paint: ${med(g((r) => r.launch.paints["first-contentful-paint"]))}; screen already there at first command: ${g((r) => r.launch.alreadyThere).join(",")}`);
console.log(`   click "Try the sandbox" → composer: ${med(g((r) => r.launch.sandboxClickToComposeMs))}`);
console.log(`2. open 100k job (cold, first open of the session) → rows w/ data in DOM: ${med(g((r) => r.open[0].dataRowsMs))}; painted (2 rAF later): ${med(g((r) => r.open[0].paintedMs))}   [aim ≤ 150]`);
console.log(`   any row (incl. "Loading…" placeholders) in DOM: ${med(g((r) => r.open[0].anyRowMs))}; count shown: ${g((r) => r.open[0].countText).join(" | ")}`);
console.log(`   re-open in the same page (warm query cache): ${runs.map((r) => { const o = r.open?.find((x) => x.kind === "reopen-same-page"); return o ? (o.timeout ? `NO DATA ROWS after ${o.timeout} ms (status "${o.countText}", ${o.rowsInDom} rows)` : `${o.paintedMs} ms`) : "n/a"; }).join(" | ")}`);
console.log(`   open after page reload (same app process), painted: ${med(runs.flatMap((r) => (r.open ?? []).filter((o) => o.kind === "after-reload").map((o) => o.paintedMs)))}; rows w/ data in DOM: ${med(runs.flatMap((r) => (r.open ?? []).filter((o) => o.kind === "after-reload").map((o) => o.dataRowsMs)))}`);
console.log(`3. records_window 100 rows, median: ${med(g((r) => r.ipc.recordsWindow100.median))}; p95: ${med(g((r) => r.ipc.recordsWindow100.p95))}   [aim ≤ 5]   (n/run ${g((r) => r.ipc.recordsWindow100.n)[0]}, JSON ${g((r) => r.ipc.windowJsonBytes)[0]} bytes)`);
console.log(`   peer job_columns, median: ${med(g((r) => r.ipc.jobColumns.median))}; p95: ${med(g((r) => r.ipc.jobColumns.p95))}`);
console.log(`   first sorted call: ${med(g((r) => r.ipc.firstSortedCallMs))}; first search call: ${med(g((r) => r.ipc.firstSearchCallMs))}`);
console.log(`   sorted (after the first) by ${g((r) => r.ipc.sortedBy)[0]}, median: ${med(g((r) => r.ipc.recordsWindow100Sorted.median))}; p95: ${med(g((r) => r.ipc.recordsWindow100Sorted.p95))}`);
console.log(`   search (after the first) "fintech" (${g((r) => r.ipc.recordsWindow100Search.matches)[0]} matches), median: ${med(g((r) => r.ipc.recordsWindow100Search.median))}; p95: ${med(g((r) => r.ipc.recordsWindow100Search.p95))}`);
console.log(`4. scroll frames (${g((r) => r.scroll.steps)[0]} × ${g((r) => r.scroll.px)[0]} px), median: ${med(g((r) => r.scroll.frames.median))}; p95: ${med(g((r) => r.scroll.frames.p95))}   [aim median ≤ 33]`);
console.log(`   frames > 33 ms: ${g((r) => r.scroll.over33).join(",")}; frames with "Loading…" rows visible (separate 50-step pass): ${g((r) => r.scroll.framesShowingLoadingRowsOf50).join(",")}`);
for (const r of runs) if (r.scroll?.cpuMsDuringScroll) console.log(`   run ${r.run}: CPU ms used during the ${r.scroll.wallMs} ms timed pass: ${Object.entries(r.scroll.cpuMsDuringScroll).map(([k, v]) => `${k.split(":")[0]} ${v}`).join(", ")}`);
console.log(`   peer: idle rAF frames (no scrolling), median: ${med(g((r) => r.scroll.idleFrames.median))}; p95: ${med(g((r) => r.scroll.idleFrames.p95))}`);
console.log(`5. idle memory, sum VmRSS MB: ${med(g((r) => r.memory.rssMb))}; sum PSS MB: ${med(g((r) => r.memory.pssMb))}   [aim ≤ 300]`);
if (runs.some((r) => r.memoryLater)) console.log(`   same, ${g((r) => r.memoryLater?.idleMs)[0] / 1000} s after the last action: sum VmRSS MB ${med(g((r) => r.memoryLater?.rssMb))}; sum PSS MB ${med(g((r) => r.memoryLater?.pssMb))}`);
console.log(`   idle 3 s after opening the job (before sort/search): VmRSS MB ${med(g((r) => r.memoryAfterOpen.rssMb))}; PSS MB ${med(g((r) => r.memoryAfterOpen.pssMb))}`);
if (runs.some((r) => r.memoryAfterIpc)) console.log(`   PSS MB after the re-opens and reloads ${med(g((r) => r.memoryAfterReloads?.pssMb))}, after the IPC step ${med(g((r) => r.memoryAfterIpc?.pssMb))}`);
if (runs.some((r) => r.review)) console.log(`6. review key "a" → row shows Accepted, painted (frame after), median: ${med(g((r) => r.review.paintedMs.median))}; p95: ${med(g((r) => r.review.paintedMs.p95))}; in the DOM: ${med(g((r) => r.review.domMs.median))}   [aim ≤ 16, one frame]`);
if (runs.some((r) => r.resize)) console.log(`7. column resize by pointer (${g((r) => r.resize.moves)[0]} moves), frames median: ${med(g((r) => r.resize.frames.median))}; p95: ${med(g((r) => r.resize.frames.p95))}; max: ${med(g((r) => r.resize.frames.max))}; frames > 33 ms: ${g((r) => r.resize.over33).join(",")}   [aim ≤ 33]`);
if (runs.some((r) => r.keptOpen)) console.log(`8. open with a kept view (sort + range + not empty, ${g((r) => r.keptOpen.total)[0]} rows), fresh page, painted: ${med(runs.flatMap((r) => r.keptOpen?.opens?.map((o) => o.paintedMs) ?? []))}   [aim ≤ 150]`);
if (empty.length) {
  const e = (f) => empty.map((r) => { try { return f(r); } catch { return undefined; } });
  console.log(`empty data folder (launch-only runs: ${empty.length}): process start → usable ${med(e((r) => r.launch.processStartToInteractiveMs))}; process start → navigationStart ${med(e((r) => r.launch.processStartToNavigationStartMs))}; navigationStart → usable ${med(e((r) => r.launch.navigationStartToInteractiveMs))}; idle VmRSS MB ${med(e((r) => r.launch.idleMemoryNoJob.rssMb))}; PSS MB ${med(e((r) => r.launch.idleMemoryNoJob.pssMb))}`);
}
if (peer.length) {
  const p = (f) => peer.map((r) => { try { return f(r); } catch { return undefined; } });
  console.log(`peer, a bare Tauri window (launch-only runs: ${peer.length}): process start → usable ${med(p((r) => r.launch.processStartToInteractiveMs))}; process start → navigationStart ${med(p((r) => r.launch.processStartToNavigationStartMs))}; navigationStart → usable ${med(p((r) => r.launch.navigationStartToInteractiveMs))}; idle VmRSS MB ${med(p((r) => r.launch.idleMemoryNoJob.rssMb))}; PSS MB ${med(p((r) => r.launch.idleMemoryNoJob.pssMb))}; screen already there at first command: ${p((r) => r.launch.alreadyThere).join(",")}`);
  const ours = median(empty.map((r) => r.launch?.processStartToInteractiveMs));
  const floor = median(p((r) => r.launch.processStartToInteractiveMs));
  console.log(`   ours (empty data folder) / peer, process start → usable medians: ${ours !== undefined && floor ? `${(ours / floor).toFixed(2)}× (${ours.toFixed(1)} / ${floor.toFixed(1)} ms)` : "n/a"}`);
}
for (const r of runs) console.log(`   run ${r.run}: ${r.memory?.procs.map((p) => `${p.comm}:${(p.rssKb / 1024).toFixed(0)}`).join(" ")} (RSS MB); PSS MB: ${r.memory?.procs.map((p) => `${p.comm}:${(p.pssKb / 1024).toFixed(0)}`).join(" ")}${r.memoryLater ? `; later: ${r.memoryLater.procs.map((p) => `${p.comm}:${(p.pssKb / 1024).toFixed(0)}`).join(" ")}` : ""}`);
const kinds = (m) => m?.procs.map((p) => `${p.comm}:${((p.anonKb ?? 0) / 1024).toFixed(0)}/${((p.fileKb ?? 0) / 1024).toFixed(0)}`).join(" ");
for (const r of runs) if (r.memory?.procs[0]?.anonKb != null) console.log(`   run ${r.run}, PSS anonymous/file MB: ${kinds(r.memory)}${r.memoryLater ? `; later: ${kinds(r.memoryLater)}` : ""}`);
