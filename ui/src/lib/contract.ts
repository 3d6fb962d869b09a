// Stand-in for the generated `ui/src/bindings.ts` (tauri-specta) while it
// does not exist yet: same exports, same shapes, same runtime behaviour.
// When bindings.ts is generated, `lib/ipc.ts` imports from "../bindings"
// instead and this file goes away.
import { invoke as __TAURI_INVOKE } from "@tauri-apps/api/core";
import * as __TAURI_EVENT from "@tauri-apps/api/event";

export type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

export type Connection = "sandbox" | "live";
export type Theme = "light" | "dark" | "system";
export type KeyStatus = {
  stored: boolean;
  last4: string | null;
  sessionOnly: boolean;
  keyringAvailable: boolean;
  keyringMessage: string | null;
};
export type AppInfo = {
  version: string;
  connection: Connection;
  baseUrl: string;
  key: KeyStatus;
  dataDir: string;
  devBuild: boolean;
  firstRun: boolean;
};
export type Settings = { baseUrl: string; pollIntervalSecs: number; theme: Theme };
export type FieldKind = "text" | "number" | "date" | "option" | "url" | "company";
export type Mode = "base" | "lite";
export type ValidatorSpec = { name: string; description: string };
export type EnrichmentSpec = { name: string; description: string; kind: FieldKind };
export type JobDraft = {
  query: string;
  context: string | null;
  startDate: string | null;
  endDate: string | null;
  limit: number | null;
  mode: Mode;
  validators: ValidatorSpec[] | null;
  enrichments: EnrichmentSpec[] | null;
};
export type FieldProblem = { field: string; message: string };
export type QuerySuggestion = { issue: string; message: string; example: string | null };
export type QueryCheck = {
  status: string;
  title: string;
  description: string | null;
  issues: string[];
  suggestions: QuerySuggestion[];
  confidence: number | null;
};
export type Suggestions = {
  validators: ValidatorSpec[];
  enrichments: EnrichmentSpec[];
  startDate: string | null;
  endDate: string | null;
  dateMessages: string[];
};
export type JobOrigin = "local" | "account";
export type JobSummary = {
  localId: number;
  jobId: string | null;
  query: string;
  stage: string;
  origin: JobOrigin;
  mode: Mode;
  createdAt: string;
  updatedAt: string;
  limit: number | null;
  validRecords: number | null;
  storedRecords: number;
  error: string | null;
  queuedReason: string | null;
  tracking: boolean;
};
export type StepInfo = { stage: string; order: number; completed: boolean };
export type StageEntry = { stage: string; at: string };
export type Progress = {
  candidateRecords: number | null;
  progressValidated: number | null;
  validRecords: number | null;
};
export type JobSnapshot = {
  summary: JobSummary;
  request: JobDraft;
  steps: StepInfo[];
  history: StageEntry[];
  progress: Progress;
  duration: string | null;
  canContinue: boolean;
  trouble: string | null;
};
export type JobEventKind =
  | { type: "queued"; reason: string }
  | { type: "submitted"; job_id: string }
  | { type: "stage_changed"; stage: string; steps: StepInfo[] }
  | { type: "progress"; progress: Progress }
  | { type: "records_stored"; new_records: number; stored_records: number }
  | { type: "completed"; valid_records: number }
  | { type: "failed"; error: string }
  | { type: "trouble"; message: string; retry_in_secs: number }
  | { type: "deleted" };
export type JobEvent = { localId: number; event: JobEventKind };
export type JobUpdate = JobEvent;
export type Column = { key: string; label: string; kind: string };
export type SortSpec = { key: string; descending: boolean };
export type ColumnFilter = { key: string; contains: string };
export type ViewSpec = { sort: SortSpec | null; search: string | null; filters: ColumnFilter[] };
export type Cell = { text: string; link: string | null };
export type Row = { recordId: string; cells: Cell[] };
export type RecordsWindow = { total: number; start: number; rows: Row[] };
export type FieldView = {
  name: string;
  label: string;
  kind: string;
  text: string;
  link: string | null;
  confidence: string | null;
};
export type CitationView = { title: string; link: string; publishedDate: string | null };
export type RecordDetail = {
  recordId: string;
  title: string;
  confidence: string | null;
  fields: FieldView[];
  citations: CitationView[];
};
export type AccountJob = {
  jobId: string;
  query: string;
  createdAt: string;
  status: string;
  mode: string | null;
  localId: number | null;
};
export type AccountJobsPage = {
  total: number;
  page: number;
  totalPages: number;
  jobs: AccountJob[];
};
export type PlanLimit = {
  code: string;
  name: string;
  value: string | null;
  currentUsage: string | null;
};
export type ExportFormat = "csv" | "xlsx" | "json" | "jsonl";
export type ExportResult = { path: string; records: number; bytes: number };
export type ExportProgress = { localId: number; written: number; total: number };
export type ExportUpdate = ExportProgress;
export type ErrorKind =
  | "bad_key"
  | "forbidden"
  | "not_found"
  | "rejected"
  | "invalid"
  | "busy"
  | "server"
  | "offline"
  | "timeout"
  | "malformed"
  | "keyring"
  | "storage"
  | "export"
  | "input"
  | "internal";
export type IpcError = { kind: ErrorKind; message: string };

async function typedError<T, E>(result: Promise<T>): Promise<Result<T, E>> {
  try {
    return { status: "ok", data: await result };
  } catch (e) {
    if (e instanceof Error) throw e;
    return { status: "error", error: e as E };
  }
}

const call = <T>(cmd: string, args?: Record<string, unknown>) =>
  typedError<T, IpcError>(__TAURI_INVOKE<T>(cmd, args));

export const commands = {
  appInfo: (): Promise<AppInfo> => __TAURI_INVOKE("app_info"),
  saveApiKey: (key: string, remember: boolean) =>
    call<KeyStatus>("save_api_key", { key, remember }),
  removeApiKey: () => call<KeyStatus>("remove_api_key"),
  setConnection: (connection: Connection) => call<AppInfo>("set_connection", { connection }),
  getSettings: () => call<Settings>("get_settings"),
  saveSettings: (settings: Settings) => call<Settings>("save_settings", { settings }),
  planLimits: () => call<PlanLimit[]>("plan_limits"),
  accountJobs: (page: number, search: string | null) =>
    call<AccountJobsPage>("account_jobs", { page, search }),
  openAccountJob: (jobId: string) => call<JobSnapshot>("open_account_job", { jobId }),
  checkDraft: (draft: JobDraft): Promise<FieldProblem[]> =>
    __TAURI_INVOKE("check_draft", { draft }),
  validateQuery: (query: string) => call<QueryCheck>("validate_query", { query }),
  initializeQuery: (query: string, context: string | null) =>
    call<Suggestions>("initialize_query", { query, context }),
  submitJob: (draft: JobDraft) => call<JobSnapshot>("submit_job", { draft }),
  saveDraft: (draft: JobDraft) => call<null>("save_draft", { draft }),
  loadDraft: () => call<JobDraft | null>("load_draft"),
  listJobs: (search: string | null) => call<JobSummary[]>("list_jobs", { search }),
  jobSnapshot: (localId: number) => call<JobSnapshot>("job_snapshot", { localId }),
  continueJob: (localId: number, newLimit: number) =>
    call<JobSnapshot>("continue_job", { localId, newLimit }),
  deleteJob: (localId: number) => call<null>("delete_job", { localId }),
  jobColumns: (localId: number) => call<Column[]>("job_columns", { localId }),
  recordsWindow: (localId: number, view: ViewSpec, start: number, limit: number) =>
    call<RecordsWindow>("records_window", { localId, view, start, limit }),
  recordDetail: (localId: number, recordId: string) =>
    call<RecordDetail>("record_detail", { localId, recordId }),
  openLink: (url: string) => call<null>("open_link", { url }),
  exportJob: (localId: number, format: ExportFormat, view: ViewSpec | null, path: string | null) =>
    call<ExportResult | null>("export_job", { localId, format, view, path }),
};

function makeEvent<T>(name: string) {
  return {
    listen: (cb: __TAURI_EVENT.EventCallback<T>) => __TAURI_EVENT.listen<T>(name, cb),
  };
}

export const events = {
  jobUpdate: makeEvent<JobUpdate>("job-update"),
  exportUpdate: makeEvent<ExportUpdate>("export-update"),
};
