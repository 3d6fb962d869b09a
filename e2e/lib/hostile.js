// A hostile job for the e2e suite: a standalone sandbox (`catchall sandbox`)
// behind a small proxy that makes two of its records hostile (one with a
// 10 MB text value, one with 10,000 fields), pulled into the app's data
// folder by the command line (`catchall export`, which adopts the job and
// stores its records in the same local store the app reads).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, request } from "node:http";
import { join } from "node:path";
import { createInterface } from "node:readline";

const targetDir = process.env.CARGO_TARGET_DIR ?? "/var/cache/catchall-target";
/** The command line under test: CATCHALL_CLI, else the debug build. */
export const cli = process.env.CATCHALL_CLI ?? join(targetDir, "debug", "catchall");

/** The query of the hostile job, as the app lists it. */
export const HOSTILE_QUERY = "Hostile records for the record panel";
export const HUGE_CHARS = 10 * 1024 * 1024;
export const MANY_FIELDS = 10_000;

/** A 10 MB text of words (a long report pasted into one value). */
function hugeText() {
  const line = "Quarterly filing excerpt with figures and names repeated at length. ";
  return line.repeat(Math.ceil(HUGE_CHARS / line.length)).slice(0, HUGE_CHARS);
}

/** Record 0 gets the huge value, record 1 the many fields; titles say which. */
function makeHostile(records) {
  if (records[0]) {
    records[0].record_title = "Hostile: one huge value";
    records[0].enrichment = { ...records[0].enrichment, filing_text: hugeText() };
  }
  if (records[1]) {
    records[1].record_title = "Hostile: ten thousand fields";
    const many = {};
    for (let i = 0; i < MANY_FIELDS; i++)
      many[`field_${String(i).padStart(5, "0")}`] = `value ${i}`;
    records[1].enrichment = { ...records[1].enrichment, ...many };
  }
}

/** Forwards to `target`, rewriting the first page of every pull. */
async function startProxy(target) {
  const server = createServer((req, res) => {
    const up = request(
      new URL(req.url, target),
      { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
      (upRes) => {
        const chunks = [];
        upRes.on("data", (c) => chunks.push(c));
        upRes.on("end", () => {
          let body = Buffer.concat(chunks);
          const page = new URL(req.url, target).searchParams.get("page") ?? "1";
          if (req.url.startsWith("/catchAll/pull/") && upRes.statusCode === 200 && page === "1") {
            const json = JSON.parse(body.toString("utf8"));
            makeHostile(json.all_records ?? []);
            body = Buffer.from(JSON.stringify(json));
          }
          const headers = { ...upRes.headers, "content-length": String(body.length) };
          delete headers["transfer-encoding"];
          res.writeHead(upRes.statusCode, headers);
          res.end(body);
        });
      },
    );
    req.pipe(up);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

async function json(url, init) {
  const r = await fetch(url, {
    ...init,
    headers: { "content-type": "application/json", "x-api-key": "e2e", ...init?.headers },
  });
  if (!r.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${r.status} ${await r.text()}`);
  return r.json();
}

/**
 * Runs a small job in a standalone sandbox and stores it, hostile, in
 * `dataDir` through the command line (before the app starts: one writer per
 * data folder).
 */
export async function storeHostileJob(dataDir, query = HOSTILE_QUERY) {
  const sandbox = spawn(cli, ["sandbox", "--port", "0", "--pace", "test"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: sandbox.stdout });
  const [base] = await once(lines, "line");
  const proxy = await startProxy(base.trim());
  const stop = () => {
    proxy.close();
    sandbox.kill();
  };
  try {
    const { job_id } = await json(`${base}/catchAll/submit`, {
      method: "POST",
      body: JSON.stringify({ query, limit: 10 }),
    });
    for (let i = 0; ; i++) {
      const s = await json(`${base}/catchAll/status/${job_id}`);
      if (s.status === "completed") break;
      if (i > 240) throw new Error(`the sandbox job never completed (${s.status})`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
    const out = join(dataDir, "hostile-export.json");
    // Not spawnSync: the proxy answering the command line runs in this process.
    const run = spawn(
      cli,
      [
        "--base-url",
        proxyUrl,
        "export",
        job_id,
        "--data-dir",
        dataDir,
        "--format",
        "json",
        "--out",
        out,
      ],
      { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, CATCHALL_API_KEY: "e2e" } },
    );
    let stderr = "";
    run.stderr.on("data", (d) => {
      stderr += d;
    });
    const [code] = await once(run, "exit");
    if (code !== 0) throw new Error(`catchall export failed: ${stderr}`);
    return job_id;
  } finally {
    stop();
  }
}
