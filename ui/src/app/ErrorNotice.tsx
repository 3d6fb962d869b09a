import { describeError } from "../lib/errors";

/** A failed command in plain words: a title from its kind, then the engine's message. */
export function ErrorNotice({ error, action }: { error: unknown; action?: React.ReactNode }) {
  if (!error) return null;
  const { title, message } = describeError(error);
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title}</strong>
      {message && message !== title ? <p>{message}</p> : null}
      {action}
    </div>
  );
}
