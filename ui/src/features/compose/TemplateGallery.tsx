import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { shorten } from "../../lib/format";
import { ipc, type JobDraft } from "../../lib/ipc";
import { GALLERY, templateDraft } from "./templates";

export const templatesKey = ["templates"] as const;

/** Worked examples and the analyst's own templates; one click fills the composer. */
export function TemplateGallery({
  current,
  onUse,
}: {
  current: JobDraft;
  onUse: (draft: JobDraft) => void;
}) {
  const client = useQueryClient();
  const own = useQuery({ queryKey: templatesKey, queryFn: ipc.listTemplates, retry: false });
  const remove = useMutation({
    mutationFn: (name: string) => ipc.deleteTemplate(name),
    onSuccess: (list) => client.setQueryData(templatesKey, list),
  });
  return (
    <details className="card templates">
      <summary>Start from a template</summary>
      <ul className="template-list" aria-label="Templates">
        {GALLERY.map((t) => (
          <li key={t.name} className="template">
            <strong>{t.name}</strong>
            <span className="muted">{t.query}</span>
            <span className="help">
              {t.validators.length} validators · {t.enrichments.length} enrichments
            </span>
            <button
              type="button"
              aria-label={`Use template: ${t.name}`}
              onClick={() => onUse(templateDraft(t, current))}
            >
              Use this template
            </button>
          </li>
        ))}
        {(own.data ?? []).map((t) => (
          <li key={`own-${t.name}`} className="template template-own">
            <strong>{t.name}</strong>
            <span className="muted">{shorten(t.draft.query, 120)}</span>
            <span className="help">Your template</span>
            <span className="row">
              <button
                type="button"
                aria-label={`Use template: ${t.name}`}
                onClick={() => onUse(t.draft)}
              >
                Use this template
              </button>
              <button
                type="button"
                className="danger"
                aria-label={`Delete template: ${t.name}`}
                disabled={remove.isPending}
                onClick={() => remove.mutate(t.name)}
              >
                Delete
              </button>
            </span>
          </li>
        ))}
      </ul>
      <ErrorNotice error={remove.error} />
    </details>
  );
}

/** "Save as template": a name, then the draft as it is on screen. */
export function SaveTemplate({ draft }: { draft: JobDraft }) {
  const id = useId();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const save = useMutation({
    mutationFn: (n: string) => ipc.saveTemplate(n, draft),
    onSuccess: (list) => {
      client.setQueryData(templatesKey, list);
      setOpen(false);
      setName("");
    },
  });
  if (!open)
    return (
      <span className="row">
        <button
          type="button"
          disabled={!draft.query.trim()}
          onClick={() => {
            save.reset();
            setOpen(true);
          }}
        >
          Save as template
        </button>
        {save.isSuccess ? (
          <span className="muted" role="status">
            Template saved
          </span>
        ) : null}
      </span>
    );
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group inside the composer's form (forms do not nest)
    <div className="row wrap" role="group" aria-label="Save as template">
      <label htmlFor={`${id}-name`}>Template name</label>
      <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} />
      <button
        type="button"
        className="primary"
        disabled={save.isPending}
        onClick={() => save.mutate(name)}
      >
        Save template
      </button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      <ErrorNotice error={save.error} />
    </div>
  );
}
