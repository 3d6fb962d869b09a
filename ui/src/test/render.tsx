import { QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/preact";
import type { ReactElement } from "react";
import { NavProvider } from "../app/nav";
import { createQueryClient } from "../app/queryClient";
import type { AppInfo, JobSnapshot, KeyStatus } from "../lib/ipc";

/** Renders with a fresh query cache and navigation, as the app does. */
export function renderApp(ui: ReactElement, client = createQueryClient()) {
  return {
    client,
    ...render(
      <QueryClientProvider client={client}>
        <NavProvider>{ui}</NavProvider>
      </QueryClientProvider>,
    ),
  };
}

/** No key stored, the keyring available. */
export const noKey: KeyStatus = {
  stored: false,
  last4: null,
  sessionOnly: false,
  keyringAvailable: true,
  keyringMessage: null,
};

/** The app's state on a first run against a live server, with changes. */
export function appInfo(over: Partial<AppInfo> = {}): AppInfo {
  return {
    version: "0.1.0",
    connection: "live",
    baseUrl: "https://example.test",
    key: noKey,
    dataDir: "/tmp/catchall",
    devBuild: true,
    firstRun: true,
    ...over,
  };
}

export function snapshot(
  over: Partial<JobSnapshot["summary"]> = {},
  rest: Partial<JobSnapshot> = {},
): JobSnapshot {
  return {
    summary: {
      localId: 1,
      jobId: "job-1",
      query: "Series A rounds in fintech",
      stage: "analyzing",
      origin: "local",
      mode: "base",
      createdAt: "2025-01-01T10:00:00Z",
      updatedAt: "2025-01-01T10:00:05Z",
      limit: 50,
      validRecords: null,
      storedRecords: 0,
      error: null,
      queuedReason: null,
      tracking: true,
      serviceCompleted: false,
      allLocal: false,
      ...over,
    },
    request: {
      query: "Series A rounds in fintech",
      context: null,
      startDate: null,
      endDate: null,
      limit: 50,
      mode: "base",
      validators: [{ name: "is_series_a", description: "Is a Series A round" }],
      enrichments: null,
    },
    steps: [],
    history: [
      { stage: "submitted", at: "2025-01-01T10:00:00Z" },
      { stage: "analyzing", at: "2025-01-01T10:00:03Z" },
    ],
    progress: { candidateRecords: null, progressValidated: null, validRecords: null },
    duration: null,
    canContinue: false,
    trouble: null,
    readNotes: null,
    ...rest,
  };
}
