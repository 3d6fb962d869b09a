// Company watchlists: make one from a CSV (picked in a dialog the app
// opens, the page seeing only the preview, or dropped on the screen), follow
// its status while the service looks the companies up, add and remove
// companies, rename, delete.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { AppError, type CsvPreview, ipc, type UploadOutcome } from "../../lib/ipc";
import { ProjectPicker, projectsKey } from "../projects/ProjectPicker";
import { dragHasFiles, readDroppedCsv } from "./dropCsv";
import { useWatchlists, watchlistsKey } from "./useWatchlists";

export function WatchlistsScreen() {
  const [project, setProject] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  /** A CSV file dropped anywhere on the screen starts a new watchlist from it. */
  const [dropped, setDropped] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const list = useWatchlists(project);
  return (
    <section
      className={`watchlists${dragging ? " drop-target" : ""}`}
      aria-labelledby="watchlists-title"
      onDragOver={(e) => {
        if (!dragHasFiles(e)) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={(e) => {
        if (!dragHasFiles(e)) return;
        e.preventDefault();
        setDragging(false);
        const file = e.dataTransfer?.files[0];
        if (!file) return;
        setCreating(true);
        setDropped(file);
      }}
    >
      <h2 id="watchlists-title">Watchlists</h2>
      <p className="muted">
        Lists of companies to follow. Jobs about a watchlist find only events about its companies.
      </p>
      <div className="toolbar">
        <ProjectPicker label="Show project" value={project} onChange={setProject} allowAll />
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New watchlist from a CSV file
        </button>
      </div>
      {creating ? (
        <CreateFromCsv
          projectId={project}
          dropped={dropped}
          onDone={(id) => {
            setCreating(false);
            setDropped(null);
            if (id) setOpenId(id);
          }}
        />
      ) : null}
      {list.isError ? <ErrorNotice error={list.error} /> : null}
      {list.isPending ? <p>Loading watchlists…</p> : null}
      {list.data && list.data.length === 0 ? (
        <p>No watchlists yet. Make one from a spreadsheet of companies.</p>
      ) : null}
      {list.data && list.data.length > 0 ? (
        <ul className="watchlist-list" aria-label="Your watchlists">
          {list.data.map((w) => (
            <li key={w.id}>
              <button
                type="button"
                className="link"
                aria-expanded={openId === w.id}
                onClick={() => setOpenId(openId === w.id ? null : w.id)}
              >
                {w.name}
              </button>{" "}
              <span>
                {w.companyCount} {w.companyCount === 1 ? "company" : "companies"}
              </span>{" "}
              <span className={`status status-${w.status}`} role="status">
                {w.statusWords}
              </span>
              {openId === w.id ? (
                <WatchlistDetailView id={w.id} onGone={() => setOpenId(null)} />
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** The preview of a picked CSV: what will be uploaded and what skipped. */
export function CsvPreviewView({ preview }: { preview: CsvPreview }) {
  return (
    <div className="csv-preview">
      <p>
        <strong>{preview.fileName}</strong>: {preview.rowCount} of {preview.totalRows} rows will be
        uploaded
        {preview.encoding === "windows-1252" ? " (read as Windows-1252)" : ""}.
      </p>
      {preview.ignoredColumns.length > 0 ? (
        <p>Columns not used: {preview.ignoredColumns.join(", ")}.</p>
      ) : null}
      <table aria-label="Companies to upload">
        <thead>
          <tr>
            <th scope="col">Row</th>
            <th scope="col">Name</th>
            <th scope="col">Domain</th>
            <th scope="col">Description</th>
            <th scope="col">Also known as</th>
            <th scope="col">Key people</th>
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((r) => (
            <tr key={r.row}>
              <td>{r.row}</td>
              <td>{r.name}</td>
              <td>{r.domain ?? ""}</td>
              <td>{r.description ?? ""}</td>
              <td>{r.alternativeNames.join("; ")}</td>
              <td>{r.keyPersons.join("; ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {preview.rowCount > preview.rows.length ? (
        <p>…and {preview.rowCount - preview.rows.length} more.</p>
      ) : null}
      {preview.skipped.length > 0 ? (
        <div className="notice notice-warning">
          <p>
            {preview.skipped.length} {preview.skipped.length === 1 ? "row" : "rows"} will be
            skipped:
          </p>
          <ul aria-label="Rows that will be skipped">
            {preview.skipped.map((s) => (
              <li key={s.row}>
                Row {s.row}
                {s.name ? ` (${s.name})` : ""}: {s.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

function CreateFromCsv({
  projectId,
  dropped,
  onDone,
}: {
  projectId: string | null;
  /** A file dropped on the screen, read instead of a picked one. */
  dropped: File | null;
  onDone: (id: string | null) => void;
}) {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [problem, setProblem] = useState<AppError | null>(null);
  const [done, setDone] = useState<UploadOutcome | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);

  // A picked and a dropped file are previewed (and refused) alike.
  const previewed = {
    onMutate: () => setProblem(null),
    onSuccess: (p: CsvPreview | null) => {
      if (!p) return;
      setPreview(p);
      if (!name.trim()) setName(p.fileName.replace(/\.(csv|txt)$/i, ""));
    },
    onError: (e: unknown) => {
      setPreview(null);
      setProblem(e instanceof AppError ? e : new AppError("internal", String(e)));
    },
  };
  const pick = useMutation({ mutationFn: () => ipc.pickWatchlistCsv(), ...previewed });
  const drop = useMutation({
    mutationFn: async (file: File) => {
      const { text, encoding } = await readDroppedCsv(file);
      return ipc.dropWatchlistCsv(file.name, text, encoding);
    },
    ...previewed,
  });
  const dropFile = drop.mutate;
  useEffect(() => {
    if (dropped) dropFile(dropped);
  }, [dropped, dropFile]);
  const asCp1252 = useMutation({
    mutationFn: () => ipc.rereadWatchlistCsv("windows-1252"),
    onSuccess: (p) => {
      setProblem(null);
      setPreview(p);
      if (!name.trim()) setName(p.fileName.replace(/\.(csv|txt)$/i, ""));
    },
    onError: (e) => setProblem(e instanceof AppError ? e : new AppError("internal", String(e))),
  });
  const upload = useMutation({
    mutationFn: (v: { name: string; projectId: string | null }) =>
      ipc.createWatchlist(v.name, null, v.projectId),
    onSuccess: (out) => {
      setDone(out);
      client.invalidateQueries({ queryKey: watchlistsKey });
      client.invalidateQueries({ queryKey: projectsKey });
    },
  });

  const cancel = () => {
    ipc.clearWatchlistCsv().catch(() => {});
    onDone(null);
  };

  if (done) {
    return (
      <section className="card" aria-label="New watchlist">
        <p role="status">
          Uploaded: the service added {done.companiesAdded}{" "}
          {done.companiesAdded === 1 ? "company" : "companies"} and is now looking them up.
        </p>
        {done.skipped.length > 0 ? (
          <ul aria-label="Rows the service skipped">
            {done.skipped.map((s) => (
              <li key={s.row}>
                Row {s.row}: {s.reason}
              </li>
            ))}
          </ul>
        ) : null}
        <button type="button" onClick={() => onDone(done.watchlistId)}>
          Close
        </button>
      </section>
    );
  }

  return (
    <form
      className="card"
      aria-label="New watchlist"
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim()) {
          setNameError("Give the watchlist a name.");
          return;
        }
        setNameError(null);
        upload.mutate({ name: name.trim(), projectId });
      }}
    >
      <p>
        The CSV needs a <code>name</code> column, and a <code>description</code> or{" "}
        <code>domain</code> for each company; <code>alternative_names</code> and{" "}
        <code>key_persons</code> are optional, with <code>;</code> between several values.
      </p>
      <button
        type="button"
        onClick={() => pick.mutate()}
        disabled={pick.isPending || drop.isPending}
      >
        {preview ? "Choose another file…" : "Choose a CSV file…"}
      </button>{" "}
      <span className="muted">or drop a CSV file anywhere on this screen.</span>
      {drop.isPending ? <p role="status">Reading the dropped file…</p> : null}
      {problem ? (
        <div className="notice notice-error" role="alert">
          <p>{problem.message}</p>
          {problem.kind === "csv_not_utf8" ? (
            <button type="button" onClick={() => asCp1252.mutate()}>
              Read it as Windows-1252 (Excel)
            </button>
          ) : null}
        </div>
      ) : null}
      {preview ? <CsvPreviewView preview={preview} /> : null}
      <div className="field">
        <label htmlFor="watchlist-name">Name</label>
        <input
          id="watchlist-name"
          value={name}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? "watchlist-name-error" : undefined}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
        {nameError ? (
          <p id="watchlist-name-error" className="field-error">
            {nameError}
          </p>
        ) : null}
      </div>
      {upload.isError ? <ErrorNotice error={upload.error} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={!preview || upload.isPending}>
          {upload.isPending ? "Uploading…" : "Upload watchlist"}
        </button>
        <button type="button" onClick={cancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function WatchlistDetailView({ id, onGone }: { id: string; onGone: () => void }) {
  const client = useQueryClient();
  const detail = useQuery({
    queryKey: ["watchlist", id],
    queryFn: () => ipc.watchlistDetail(id),
    refetchInterval: (q) => (q.state.data && !q.state.data.watchlist.ready ? 2000 : false),
  });
  const [chosen, setChosen] = useState<string[]>([]);
  const [rename, setRename] = useState("");
  const [company, setCompany] = useState({ name: "", domain: "", about: "" });
  const refresh = () => {
    client.invalidateQueries({ queryKey: ["watchlist", id] });
    client.invalidateQueries({ queryKey: watchlistsKey });
  };
  // What a mutation acts on is passed to `mutate`: its options reach the
  // observer only after the render's effects, a click can come first.
  const remove = useMutation({
    mutationFn: (ids: string[]) => ipc.removeCompanies(id, ids),
    onSuccess: () => {
      setChosen([]);
      refresh();
    },
  });
  const renameIt = useMutation({
    mutationFn: (name: string) => ipc.renameWatchlist(id, name),
    onSuccess: () => {
      setRename("");
      refresh();
    },
  });
  const add = useMutation({
    mutationFn: (c: typeof company) =>
      ipc.addCompany(id, c.name, c.domain || null, c.about || null),
    onSuccess: () => {
      setCompany({ name: "", domain: "", about: "" });
      refresh();
    },
  });
  const del = useMutation({
    mutationFn: () => ipc.deleteWatchlist(id),
    onSuccess: () => {
      client.invalidateQueries({ queryKey: watchlistsKey });
      onGone();
    },
  });
  const [confirming, setConfirming] = useState(false);

  if (detail.isPending) return <p>Loading…</p>;
  if (detail.isError) return <ErrorNotice error={detail.error} />;
  const d = detail.data;
  return (
    <section className="watchlist-detail" aria-label={`Watchlist ${d.watchlist.name}`}>
      <p>
        Status: <span role="status">{d.watchlist.statusWords}</span>
        {d.watchlist.health != null
          ? ` · identifying information ${Math.round(d.watchlist.health)} of 100`
          : ""}
      </p>
      <ul className="companies" aria-label="Companies">
        {d.companies.map((c) => (
          <li key={c.id}>
            <label>
              <input
                type="checkbox"
                checked={chosen.includes(c.id)}
                onChange={(e) =>
                  setChosen((cur) =>
                    (e.target as HTMLInputElement).checked
                      ? [...cur, c.id]
                      : cur.filter((x) => x !== c.id),
                  )
                }
              />{" "}
              {c.name}
            </label>{" "}
            <span className="muted">
              {c.domain ?? c.description ?? ""} · {c.statusWords}
            </span>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button
          type="button"
          disabled={chosen.length === 0 || remove.isPending}
          onClick={() => remove.mutate(chosen)}
        >
          Remove {chosen.length > 0 ? chosen.length : ""} selected
        </button>
      </div>
      <form
        aria-label="Add a company"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate(company);
        }}
      >
        <div className="field-row">
          <label>
            Company{" "}
            <input
              value={company.name}
              onInput={(e) =>
                setCompany({ ...company, name: (e.target as HTMLInputElement).value })
              }
            />
          </label>
          <label>
            Web domain{" "}
            <input
              value={company.domain}
              onInput={(e) =>
                setCompany({ ...company, domain: (e.target as HTMLInputElement).value })
              }
            />
          </label>
          <label>
            About it{" "}
            <input
              value={company.about}
              onInput={(e) =>
                setCompany({ ...company, about: (e.target as HTMLInputElement).value })
              }
            />
          </label>
          <button type="submit" disabled={!company.name.trim() || add.isPending}>
            Add company
          </button>
        </div>
        {add.isError ? <ErrorNotice error={add.error} /> : null}
      </form>
      <form
        aria-label="Rename"
        onSubmit={(e) => {
          e.preventDefault();
          renameIt.mutate(rename);
        }}
      >
        <label>
          New name{" "}
          <input value={rename} onInput={(e) => setRename((e.target as HTMLInputElement).value)} />
        </label>{" "}
        <button type="submit" disabled={!rename.trim() || renameIt.isPending}>
          Rename
        </button>
        {renameIt.isError ? <ErrorNotice error={renameIt.error} /> : null}
      </form>
      {confirming ? (
        <div role="alertdialog" aria-label="Delete this watchlist?">
          <p>Delete “{d.watchlist.name}”? Its companies stay in your account.</p>
          <button type="button" className="danger" onClick={() => del.mutate()}>
            Delete
          </button>{" "}
          <button type="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          Delete watchlist…
        </button>
      )}
      {remove.isError ? <ErrorNotice error={remove.error} /> : null}
      {del.isError ? <ErrorNotice error={del.error} /> : null}
    </section>
  );
}
