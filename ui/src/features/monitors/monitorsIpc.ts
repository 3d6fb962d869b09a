// The monitor and webhook commands, unwrapped as lib/ipc.ts does: plain
// values, or an AppError the screens can show.
import {
  commands,
  type ExportFormat,
  type ExportResult,
  events,
  type MonitorChange,
  type MonitorCheck,
  type MonitorNews,
  type MonitorRunInfo,
  type MonitorSummary,
  type NewMonitor,
  type NewWebhook,
  type WebhookSummary,
  type WebhookTestOutcome,
} from "../../bindings";
import { toAppError } from "../../lib/ipc";

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: unknown };

async function unwrap<T>(p: Promise<Result<T>>): Promise<T> {
  let r: Result<T>;
  try {
    r = await p;
  } catch (e) {
    throw toAppError(e);
  }
  if (r.status === "error") throw toAppError(r.error);
  return r.data;
}

export const monitorsIpc = {
  list: (refresh: boolean): Promise<MonitorSummary[]> => unwrap(commands.listMonitors(refresh)),
  create: (m: NewMonitor): Promise<MonitorSummary> => unwrap(commands.createMonitor(m)),
  get: (id: number): Promise<MonitorSummary> => unwrap(commands.getMonitor(id)),
  check: (id: number): Promise<MonitorCheck> => unwrap(commands.checkMonitor(id)),
  runs: (id: number): Promise<MonitorRunInfo[]> => unwrap(commands.monitorRuns(id)),
  /** The local job whose results table shows the monitor's records (brought up to date). */
  table: (id: number): Promise<number> => unwrap(commands.monitorTable(id)),
  markSeen: (id: number): Promise<MonitorSummary> => unwrap(commands.markMonitorSeen(id)),
  enable: (id: number, backfill: boolean): Promise<MonitorSummary> =>
    unwrap(commands.enableMonitor(id, backfill)),
  disable: (id: number): Promise<MonitorSummary> => unwrap(commands.disableMonitor(id)),
  update: (id: number, change: MonitorChange): Promise<MonitorSummary> =>
    unwrap(commands.updateMonitor(id, change)),
  remove: async (id: number): Promise<void> => {
    await unwrap(commands.deleteMonitor(id));
  },
  exportRecords: (
    id: number,
    onlyNew: boolean,
    format: ExportFormat,
  ): Promise<ExportResult | null> => unwrap(commands.exportMonitor(id, onlyNew, format)),
  webhooks: (): Promise<WebhookSummary[]> => unwrap(commands.listWebhooks()),
  createWebhook: (w: NewWebhook): Promise<WebhookSummary> => unwrap(commands.createWebhook(w)),
  testWebhook: (id: string): Promise<WebhookTestOutcome> => unwrap(commands.testWebhook(id)),
  updateWebhook: (id: string, w: NewWebhook): Promise<WebhookSummary> =>
    unwrap(commands.updateWebhook(id, w)),
  deleteWebhook: async (id: string): Promise<void> => {
    await unwrap(commands.deleteWebhook(id));
  },
  /** The ids of the webhooks a monitor tells. */
  webhookIds: (id: number): Promise<string[]> => unwrap(commands.monitorWebhookIds(id)),
  onNews: (cb: (n: MonitorNews) => void): (() => void) => {
    let stop: (() => void) | null = null;
    let dropped = false;
    events.monitorUpdate
      .listen((e) => cb(e.payload))
      .then(
        (un) => {
          if (dropped) un();
          else stop = un;
        },
        () => {},
      );
    return () => {
      dropped = true;
      stop?.();
    };
  },
};
