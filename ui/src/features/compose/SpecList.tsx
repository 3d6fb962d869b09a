import { useLayoutEffect, useRef } from "react";
import { Field } from "../../app/Field";
import type { EnrichmentSpec, FieldKind, ValidatorSpec } from "../../lib/ipc";
import { FIELD_KINDS, move, newUid, type WithUid } from "./draftState";

type Item = WithUid<ValidatorSpec> | WithUid<EnrichmentSpec>;

type Props<T extends Item> = {
  list: "validators" | "enrichments";
  items: T[] | null;
  onChange: (items: T[] | null) => void;
  problems: Record<string, string>;
  showProblem: (field: string) => boolean;
  onTouch: (field: string) => void;
  /** Why the list cannot be edited now (kept as it is); undefined when it can. */
  disabledReason?: string;
};

const WORDS = {
  validators: {
    title: "Validators",
    one: "validator",
    help: "Checks every candidate record must pass (for example: is_funding_round).",
    auto: "The service will choose validators. Use “Get suggestions” to see and edit them, or add your own.",
  },
  enrichments: {
    title: "Enrichments",
    one: "enrichment",
    help: "Fields filled in for every record; they become the table's columns, in this order.",
    auto: "The service will choose enrichments. Use “Get suggestions” to see and edit them, or add your own.",
  },
};

/** An editable list: edit inline, add, remove, move up and down. */
export function SpecList<T extends Item>({
  list,
  items,
  onChange,
  problems,
  showProblem,
  onTouch,
  disabledReason,
}: Props<T>) {
  const w = WORDS[list];
  const focusUid = useRef<string | null>(null);
  const rootRef = useRef<HTMLFieldSetElement>(null);

  // After adding a row, put the cursor in its name field before the next
  // paint, so nothing typed right after the click lands elsewhere.
  useLayoutEffect(() => {
    if (!focusUid.current) return;
    const el = rootRef.current?.querySelector<HTMLInputElement>(
      `[data-uid="${focusUid.current}"] input`,
    );
    focusUid.current = null;
    el?.focus();
  });

  const update = (i: number, patch: Partial<T>) => {
    if (!items) return;
    // An edited row is the analyst's from now on.
    onChange(items.map((it, j) => (j === i ? { ...it, ...patch, source: "mine" } : it)));
  };

  const add = () => {
    const uid = newUid();
    const item = (
      list === "enrichments"
        ? { uid, source: "mine", name: "", description: "", kind: "text" as FieldKind }
        : { uid, source: "mine", name: "", description: "" }
    ) as T;
    focusUid.current = uid;
    onChange([...(items ?? []), item]);
  };

  return (
    <fieldset
      className="spec-list"
      ref={rootRef}
      disabled={disabledReason != null}
      aria-describedby={disabledReason ? `${list}-disabled` : undefined}
    >
      <legend>{w.title}</legend>
      {disabledReason ? (
        <p id={`${list}-disabled`} className="notice notice-info">
          {disabledReason}
        </p>
      ) : null}
      <p className="help">{w.help}</p>
      {items == null ? <p className="muted">{w.auto}</p> : null}
      {items != null && items.length === 0 ? <p className="muted">None.</p> : null}
      {items && items.length > 0 ? (
        <ol className="spec-items">
          {items.map((item, i) => {
            const n = i + 1;
            const nameKey = `${list}.${i}.name`;
            const descKey = `${list}.${i}.description`;
            const nameId = `${item.uid}-name`;
            const descId = `${item.uid}-desc`;
            const nameErr = showProblem(nameKey) ? problems[nameKey] : undefined;
            const descErr = showProblem(descKey) ? problems[descKey] : undefined;
            return (
              <li key={item.uid} data-uid={item.uid} className="spec-item">
                <fieldset className="spec-fields">
                  <legend className="visually-hidden">
                    {w.one} {n}
                  </legend>
                  <span className={`tag tag-${item.source}`}>
                    {item.source === "mine" ? "Yours" : "Suggested"}
                  </span>
                  <SpecField
                    id={nameId}
                    label="Name"
                    of={`${w.one} ${n}`}
                    value={item.name}
                    error={nameErr}
                    spellCheck={false}
                    onChange={(v) => update(i, { name: v } as Partial<T>)}
                    onBlur={() => onTouch(nameKey)}
                  />
                  <SpecField
                    id={descId}
                    label="Description"
                    of={`${w.one} ${n}`}
                    value={item.description}
                    error={descErr}
                    grow
                    onChange={(v) => update(i, { description: v } as Partial<T>)}
                    onBlur={() => onTouch(descKey)}
                  />
                  {"kind" in item ? (
                    <div className="field">
                      <label htmlFor={`${item.uid}-kind`}>
                        Type
                        <span className="visually-hidden">
                          {" "}
                          of {w.one} {n}
                        </span>
                      </label>
                      <select
                        id={`${item.uid}-kind`}
                        value={item.kind}
                        onChange={(e) =>
                          update(i, { kind: e.target.value as FieldKind } as unknown as Partial<T>)
                        }
                      >
                        {FIELD_KINDS.map((k) => (
                          <option key={k.kind} value={k.kind}>
                            {k.label}
                          </option>
                        ))}
                      </select>
                    </div>
                  ) : null}
                </fieldset>
                <div className="row spec-actions">
                  <button
                    type="button"
                    aria-label={`Move ${w.one} ${n} up`}
                    disabled={i === 0}
                    onClick={() => onChange(move(items, i, i - 1))}
                  >
                    ↑ Up
                  </button>
                  <button
                    type="button"
                    aria-label={`Move ${w.one} ${n} down`}
                    disabled={i === items.length - 1}
                    onClick={() => onChange(move(items, i, i + 1))}
                  >
                    ↓ Down
                  </button>
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Remove ${w.one} ${n}${item.name ? ` (${item.name})` : ""}`}
                    onClick={() => onChange(items.filter((_, j) => j !== i))}
                  >
                    Remove
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      ) : null}
      <div className="row">
        <button type="button" onClick={add}>
          Add {w.one}
        </button>
        {items != null ? (
          <button type="button" onClick={() => onChange(null)}>
            Let the service choose {w.title.toLowerCase()}
          </button>
        ) : null}
      </div>
    </fieldset>
  );
}

/** One labelled text input of a validator or enrichment, its problem next to it. */
function SpecField({
  id,
  label,
  of,
  value,
  error,
  grow,
  spellCheck,
  onChange,
  onBlur,
}: {
  id: string;
  label: string;
  /** Which item, for screen readers ("enrichment 2"). */
  of: string;
  value: string;
  error: string | undefined;
  grow?: boolean;
  spellCheck?: boolean;
  onChange: (value: string) => void;
  onBlur: () => void;
}) {
  return (
    <Field
      id={id}
      grow={grow}
      error={error}
      label={
        <>
          {label}
          <span className="visually-hidden"> of {of}</span>
        </>
      }
    >
      {(control) => (
        <input
          {...control}
          value={value}
          spellCheck={spellCheck}
          onChange={(e) => onChange(e.target.value)}
          onBlur={onBlur}
        />
      )}
    </Field>
  );
}
