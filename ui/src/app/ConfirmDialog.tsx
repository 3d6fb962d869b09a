import { type ReactNode, useId, useLayoutEffect, useRef } from "react";

/**
 * A question before something costly or lasting: an alert dialog whose
 * safe answer has the focus, and Escape gives it.
 */
export function ConfirmDialog({
  title,
  children,
  cancelLabel,
  confirmLabel,
  danger = false,
  busy = false,
  onCancel,
  onConfirm,
}: {
  title: string;
  /** What will happen, in plain words (the dialog's description). */
  children: ReactNode;
  cancelLabel: string;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const id = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => cancelRef.current?.focus(), []);
  return (
    <div className="panel-backdrop">
      <div
        className="confirm card stack"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        onKeyDown={(e) => e.key === "Escape" && onCancel()}
      >
        <h3 id={`${id}-title`}>{title}</h3>
        <div id={`${id}-desc`} className="stack">
          {children}
        </div>
        <div className="row">
          <button ref={cancelRef} type="button" onClick={onCancel} disabled={busy}>
            {cancelLabel}
          </button>
          <button
            type="button"
            className={danger ? "danger" : "primary"}
            onClick={onConfirm}
            disabled={busy}
          >
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
