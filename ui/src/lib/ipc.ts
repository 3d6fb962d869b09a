// The one wrapper over the generated bindings: every fallible command is
// unwrapped here so screens get plain values or an `AppError` they can show.
import {
  type AccountJobsFilter,
  type AccountJobsPage,
  type AppInfo,
  type Column,
  type ColumnValues,
  type Comparison,
  type Connection,
  type CsvPreview,
  commands,
  type ErrorKind,
  type ExportFormat,
  type ExportProgress,
  type ExportResult,
  events,
  type FieldPart,
  type FieldProblem,
  type FieldView,
  type JobDraft,
  type JobEvent,
  type JobSnapshot,
  type JobSummary,
  type KeptView,
  type KeyStatus,
  type NextUnreviewed,
  type PlanLimit,
  type ProjectCounts,
  type ProjectInfo,
  type QueryCheck,
  type QueryTemplate,
  type RecordDetail,
  type RecordsWindow,
  type ReviewChange,
  type ReviewOutcome,
  type ReviewProgress,
  type Settings,
  type SourceGroup,
  type Suggestions,
  type UploadOutcome,
  type ViewSpec,
  type Watchlist,
  type WatchlistDetail,
} from "../bindings";

export type * from "../bindings";

type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

/** A failed command, with the engine's kind and its plain message. */
export class AppError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = "AppError";
  }
}

function isIpcError(e: unknown): e is { kind: ErrorKind; message: string } {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

/** Turns anything thrown or returned as an error into an `AppError`. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (isIpcError(e)) return new AppError(e.kind, e.message);
  // A framework-level failure (unknown command, bad argument) arrives as a string.
  if (typeof e === "string") return new AppError("internal", e);
  if (e instanceof Error) return new AppError("internal", e.message);
  return new AppError("internal", "Something went wrong.");
}

async function unwrap<T>(p: Promise<Result<T, unknown>>): Promise<T> {
  let r: Result<T, unknown>;
  try {
    r = await p;
  } catch (e) {
    throw toAppError(e);
  }
  if (r.status === "error") throw toAppError(r.error);
  return r.data;
}

async function plain<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw toAppError(e);
  }
}

type EarlyAppInfo = { __catchallAppInfo?: Promise<AppInfo> };

/**
 * The app's state, asked for by the desktop app as the page starts (its
 * `early-app-info` script), while this script bundle still loads: taken
 * once, by the first screen; later calls ask again.
 */
function appInfo(): Promise<AppInfo> {
  const page = globalThis as EarlyAppInfo;
  const early = page.__catchallAppInfo;
  if (early) {
    Reflect.deleteProperty(page, "__catchallAppInfo");
    return early.catch(() => plain(commands.appInfo()));
  }
  return plain(commands.appInfo());
}

export const ipc = {
  appInfo,
  /** Shows the window (hidden until the first screen is rendered). */
  firstScreenReady: (): void => {
    commands.firstScreenReady().catch(() => {});
  },
  saveApiKey: (key: string, remember: boolean): Promise<KeyStatus> =>
    unwrap(commands.saveApiKey(key, remember)),
  removeApiKey: (): Promise<KeyStatus> => unwrap(commands.removeApiKey()),
  setConnection: (connection: Connection): Promise<AppInfo> =>
    unwrap(commands.setConnection(connection)),
  getSettings: (): Promise<Settings> => unwrap(commands.getSettings()),
  saveSettings: (settings: Settings): Promise<Settings> => unwrap(commands.saveSettings(settings)),
  planLimits: (): Promise<PlanLimit[]> => unwrap(commands.planLimits()),
  accountJobs: (page: number, search: string | null): Promise<AccountJobsPage> =>
    unwrap(commands.accountJobs(page, search)),
  accountJobsFiltered: (page: number, filter: AccountJobsFilter): Promise<AccountJobsPage> =>
    unwrap(commands.accountJobsFiltered(page, filter)),
  sourceGroups: (search: string | null): Promise<SourceGroup[]> =>
    unwrap(commands.sourceGroups(search)),
  openAccountJob: (jobId: string): Promise<JobSnapshot> => unwrap(commands.openAccountJob(jobId)),
  checkDraft: (draft: JobDraft): Promise<FieldProblem[]> => plain(commands.checkDraft(draft)),
  validateQuery: (query: string): Promise<QueryCheck> => unwrap(commands.validateQuery(query)),
  initializeQuery: (query: string, context: string | null): Promise<Suggestions> =>
    unwrap(commands.initializeQuery(query, context)),
  submitJob: (draft: JobDraft): Promise<JobSnapshot> => unwrap(commands.submitJob(draft)),
  saveDraft: async (draft: JobDraft): Promise<void> => {
    await unwrap(commands.saveDraft(draft));
  },
  loadDraft: (): Promise<JobDraft | null> => unwrap(commands.loadDraft()),
  listTemplates: (): Promise<QueryTemplate[]> => unwrap(commands.listTemplates()),
  saveTemplate: (name: string, draft: JobDraft): Promise<QueryTemplate[]> =>
    unwrap(commands.saveTemplate(name, draft)),
  deleteTemplate: (name: string): Promise<QueryTemplate[]> => unwrap(commands.deleteTemplate(name)),
  listJobs: (search: string | null): Promise<JobSummary[]> => unwrap(commands.listJobs(search)),
  jobSnapshot: (localId: number): Promise<JobSnapshot> => unwrap(commands.jobSnapshot(localId)),
  continueJob: (localId: number, newLimit: number): Promise<JobSnapshot> =>
    unwrap(commands.continueJob(localId, newLimit)),
  deleteJob: async (localId: number): Promise<void> => {
    await unwrap(commands.deleteJob(localId));
  },
  jobColumns: (localId: number): Promise<Column[]> => unwrap(commands.jobColumns(localId)),
  recordsWindow: (
    localId: number,
    view: ViewSpec,
    start: number,
    limit: number,
  ): Promise<RecordsWindow> => unwrap(commands.recordsWindow(localId, view, start, limit)),
  columnValues: (localId: number, view: ViewSpec, key: string): Promise<ColumnValues> =>
    unwrap(commands.columnValues(localId, view, key)),
  keptView: (localId: number): Promise<KeptView | null> => unwrap(commands.keptView(localId)),
  keepView: async (localId: number, view: KeptView): Promise<void> => {
    await unwrap(commands.keepView(localId, view));
  },
  recordDetail: (localId: number, recordId: string): Promise<RecordDetail> =>
    unwrap(commands.recordDetail(localId, recordId)),
  recordField: (
    localId: number,
    recordId: string,
    name: string,
    from: number,
    chars: number,
  ): Promise<FieldPart> => unwrap(commands.recordField(localId, recordId, name, from, chars)),
  recordFields: (
    localId: number,
    recordId: string,
    from: number,
    count: number,
  ): Promise<FieldView[]> => unwrap(commands.recordFields(localId, recordId, from, count)),
  openLink: async (url: string): Promise<void> => {
    await unwrap(commands.openLink(url));
  },
  reviewRecords: (
    localId: number,
    recordIds: string[],
    change: ReviewChange,
  ): Promise<ReviewOutcome> => unwrap(commands.reviewRecords(localId, recordIds, change)),
  reviewView: (localId: number, view: ViewSpec, change: ReviewChange): Promise<ReviewOutcome> =>
    unwrap(commands.reviewView(localId, view, change)),
  undoReview: (localId: number): Promise<ReviewOutcome> => unwrap(commands.undoReview(localId)),
  reviewProgress: (localId: number): Promise<ReviewProgress> =>
    unwrap(commands.reviewProgress(localId)),
  nextUnreviewed: (
    localId: number,
    view: ViewSpec,
    after: number | null,
  ): Promise<NextUnreviewed | null> => unwrap(commands.nextUnreviewed(localId, view, after)),
  compareJobs: (jobA: number, jobB: number): Promise<Comparison> =>
    unwrap(commands.compareJobs(jobA, jobB)),
  exportComparison: (jobA: number, jobB: number, json: boolean): Promise<ExportResult | null> =>
    unwrap(commands.exportComparison(jobA, jobB, json)),
  /** None when the user cancels the dialog or the export. `columns`: only these table columns, in order. */
  exportJob: (
    localId: number,
    format: ExportFormat,
    view: ViewSpec | null,
    columns: string[] | null = null,
  ): Promise<ExportResult | null> => unwrap(commands.exportJob(localId, format, view, columns)),
  cancelExport: (localId: number): Promise<boolean> => commands.cancelExport(localId),
  /** Opens the job's last export (or, with `reveal`, its folder) with the user's programs. */
  openExport: async (localId: number, reveal: boolean): Promise<void> => {
    await unwrap(commands.openExport(localId, reveal));
  },
  // Watchlists and projects (the CSV is picked and read in Rust; the page
  // only sees its preview).
  pickWatchlistCsv: (): Promise<CsvPreview | null> => unwrap(commands.pickWatchlistCsv()),
  dropWatchlistCsv: (fileName: string, text: string, encoding: string): Promise<CsvPreview> =>
    unwrap(commands.dropWatchlistCsv(fileName, text, encoding)),
  rereadWatchlistCsv: (encoding: string): Promise<CsvPreview> =>
    unwrap(commands.rereadWatchlistCsv(encoding)),
  clearWatchlistCsv: (): Promise<void> => plain(commands.clearWatchlistCsv()),
  createWatchlist: (
    name: string,
    description: string | null,
    projectId: string | null,
  ): Promise<UploadOutcome> => unwrap(commands.createWatchlist(name, description, projectId)),
  addCsvToWatchlist: (id: string): Promise<UploadOutcome> => unwrap(commands.addCsvToWatchlist(id)),
  listWatchlists: (projectId: string | null): Promise<Watchlist[]> =>
    unwrap(commands.listWatchlists(projectId)),
  watchlistDetail: (id: string): Promise<WatchlistDetail> => unwrap(commands.watchlistDetail(id)),
  addCompany: async (
    id: string,
    name: string,
    domain: string | null,
    about: string | null,
  ): Promise<void> => {
    await unwrap(commands.addCompany(id, name, domain, about));
  },
  removeCompanies: (id: string, companyIds: string[]): Promise<number> =>
    unwrap(commands.removeCompanies(id, companyIds)),
  renameWatchlist: (id: string, name: string): Promise<Watchlist> =>
    unwrap(commands.renameWatchlist(id, name)),
  deleteWatchlist: async (id: string): Promise<void> => {
    await unwrap(commands.deleteWatchlist(id));
  },
  listProjects: (): Promise<ProjectInfo[]> => unwrap(commands.listProjects()),
  createProject: (name: string, description: string | null): Promise<ProjectInfo> =>
    unwrap(commands.createProject(name, description)),
  deleteProject: async (id: string, deleteResources: boolean): Promise<void> => {
    await unwrap(commands.deleteProject(id, deleteResources));
  },
  projectCounts: (id: string): Promise<ProjectCounts> => unwrap(commands.projectCounts(id)),
  projectMonitorIds: (id: string): Promise<string[]> => unwrap(commands.projectMonitorIds(id)),
  /** Opens the app's log folder in the file manager; resolves to its path. */
  openLogFolder: (): Promise<string> => unwrap(commands.openLogFolder()),
  /** Follows job events (here too, so tests can stand in for the app's events). */
  onJobEvent: (cb: (e: JobEvent) => void): Unlisten => onJobEvent(cb),
};

type Unlisten = () => void;

/** Follows job events; returns a function that stops listening. */
export function onJobEvent(cb: (e: JobEvent) => void): Unlisten {
  return subscribe(events.jobUpdate.listen((e) => cb(e.payload)));
}

export function onExportProgress(cb: (p: ExportProgress) => void): Unlisten {
  return subscribe(events.exportUpdate.listen((e) => cb(e.payload)));
}

// `listen` resolves later; an effect may be cleaned up before it does.
function subscribe(pending: Promise<Unlisten>): Unlisten {
  let stop: Unlisten | null = null;
  let cancelled = false;
  pending
    .then((un) => {
      if (cancelled) un();
      else stop = un;
    })
    .catch(() => {
      // Outside the app window (plain browser) there are no events.
    });
  return () => {
    cancelled = true;
    stop?.();
  };
}
