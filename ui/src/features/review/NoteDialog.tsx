import { useId, useLayoutEffect, useRef, useState } from "react";

/** A record's note: Save (or Ctrl+Enter) keeps it, Escape or Cancel does not. */
export function NoteDialog({
  initial,
  title,
  onSave,
  onCancel,
}: {
  initial: string;
  title: string;
  onSave: (note: string) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => ref.current?.focus(), []);
  return (
    <div
      className="note-dialog card stack"
      role="dialog"
      aria-modal="true"
      aria-labelledby={`${id}-title`}
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === "Escape") onCancel();
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) onSave(text);
      }}
    >
      <h4 id={`${id}-title`}>Note on “{title}”</h4>
      <label htmlFor={`${id}-text`}>Note</label>
      <textarea
        id={`${id}-text`}
        ref={ref}
        rows={4}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="row">
        <button type="button" className="primary" onClick={() => onSave(text)}>
          Save note
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
