// Performance bench of the built app (issue 5's figures), in a real window
// under Xvfb (see e2e/lib/driver.js). Run through bench/ui/run.sh, which
// prepares BENCH_DATA_DIR (a copy of a store holding one 100,000-record
// job) and BENCH_OUT (where results go).
import { appConfig, isolateApp } from "../../e2e/lib/driver.js";

if (!process.env.BENCH_DATA_DIR) throw new Error("BENCH_DATA_DIR is not set (use bench/ui/run.sh)");
isolateApp(process.env.BENCH_DATA_DIR);

export const config = appConfig({
  specs: ["./ui-bench.e2e.js"],
  // Not 4444/4445: the e2e suite may be running at the same time.
  port: Number(process.env.BENCH_DRIVER_PORT ?? 4544),
  mochaTimeout: 300000,
  waitforTimeout: 60000,
  // Wall clock just before WebdriverIO asks for the session (which starts
  // the app process): the start of "launch to interactive".
  beforeSessionReady: () => {
    globalThis.__benchSessionRequestedAt = Date.now();
  },
});
