// The one place where error kinds become plain titles; the message itself
// is already plain words from the engine.
import { type AppError, type ErrorKind, toAppError } from "./ipc";

const TITLES: Record<ErrorKind, string> = {
  bad_key: "Your API key was not accepted",
  forbidden: "Your plan does not allow this",
  not_found: "Not found",
  rejected: "The service refused the request",
  invalid: "Something in the request needs fixing",
  busy: "All job slots are busy",
  server: "The service had a problem",
  offline: "No connection",
  timeout: "The service took too long to answer",
  malformed: "The service sent an unexpected answer",
  keyring: "The key store cannot be used",
  storage: "Local data problem",
  export: "The export did not finish",
  input: "Please check what you entered",
  internal: "Something went wrong",
  csv_not_utf8: "The file is not UTF-8 text",
};

export function errorTitle(kind: ErrorKind): string {
  return TITLES[kind] ?? TITLES.internal;
}

export function describeError(e: unknown): { title: string; message: string; kind: ErrorKind } {
  const err: AppError = toAppError(e);
  return { title: errorTitle(err.kind), message: err.message, kind: err.kind };
}
