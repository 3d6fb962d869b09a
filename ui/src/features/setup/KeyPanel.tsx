import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorNotice } from "../../app/ErrorNotice";
import { type AppInfo, ipc, type KeyStatus } from "../../lib/ipc";
import { KeyForm } from "./KeyForm";

/** "Key ending …abcd" with Replace and Remove; the form when no key is stored. */
export function KeyPanel({ info }: { info: AppInfo }) {
  const client = useQueryClient();
  const [replacing, setReplacing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const key = info.key;

  const update = (status: KeyStatus) => {
    client.setQueryData<AppInfo>(["appInfo"], (old) => (old ? { ...old, key: status } : old));
    void client.invalidateQueries({ queryKey: ["appInfo"] });
  };

  if (!key.stored || replacing) {
    return (
      <KeyForm
        status={key}
        submitLabel={replacing ? "Check and replace key" : "Check and save key"}
        onCancel={replacing ? () => setReplacing(false) : undefined}
        onSaved={(s) => {
          setReplacing(false);
          update(s);
        }}
      />
    );
  }
  return (
    <div className="stack">
      <p>
        Key ending <span className="mono">…{key.last4}</span>
        {key.sessionOnly ? " (for this session only)" : ""}
      </p>
      <div className="row">
        <button type="button" onClick={() => setReplacing(true)}>
          Replace key
        </button>
        <button
          type="button"
          className="danger"
          onClick={async () => {
            setError(null);
            try {
              update(await ipc.removeApiKey());
            } catch (e) {
              setError(e);
            }
          }}
        >
          Remove key
        </button>
      </div>
      <ErrorNotice error={error} />
    </div>
  );
}
