import { useId, useRef, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { AppError, ipc, type KeyStatus, toAppError } from "../../lib/ipc";

type Props = {
  /** What the app knows about the keyring (never the key). */
  status: KeyStatus;
  onSaved: (status: KeyStatus) => void;
  onCancel?: () => void;
  submitLabel?: string;
};

/**
 * Typed once, checked and stored by the engine. The key lives only in the
 * password field's DOM value, never in React state, and the field is cleared
 * as soon as the engine has it.
 */
export function KeyForm({ status, onSaved, onCancel, submitLabel = "Check and save key" }: Props) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [remember, setRemember] = useState(status.keyringAvailable);
  const id = useId();
  const keyringProblem = !status.keyringAvailable || error?.kind === "keyring";

  async function save(rememberKey: boolean) {
    const input = inputRef.current;
    const key = input?.value.trim() ?? "";
    if (!key) {
      setError(new AppError("input", "Type or paste your API key first."));
      input?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await ipc.saveApiKey(key, rememberKey);
      if (input) input.value = "";
      onSaved(saved);
    } catch (e) {
      setError(toAppError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="key-form stack"
      onSubmit={(e) => {
        e.preventDefault();
        void save(remember && !keyringProblem);
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-key`}>API key</label>
        <input
          id={`${id}-key`}
          ref={inputRef}
          type="password"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-key-help`}
        />
        <p id={`${id}-key-help`} className="help">
          The key is checked with the service, then kept in your system's key store. The app only
          shows its last four characters.
        </p>
      </div>
      {keyringProblem && status.keyringMessage ? (
        <div className="notice notice-warning" role="note">
          <strong>The system key store is not available</strong>
          <p>{status.keyringMessage}</p>
        </div>
      ) : null}
      {!keyringProblem ? (
        <label className="check">
          <input
            type="checkbox"
            checked={remember}
            onChange={(e) => setRemember(e.target.checked)}
          />
          Remember this key on this computer
        </label>
      ) : null}
      <ErrorNotice error={error} />
      <div className="row">
        {keyringProblem ? (
          <button type="button" className="primary" disabled={busy} onClick={() => save(false)}>
            Use for this session only
          </button>
        ) : (
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Checking…" : submitLabel}
          </button>
        )}
        {onCancel ? (
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
