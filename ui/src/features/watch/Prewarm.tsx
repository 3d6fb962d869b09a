import { useQuery } from "@tanstack/react-query";
import { type ComponentType, useEffect, useRef } from "react";
import { jobsListQuery } from "./jobState";

/** How long the hidden view may take before it is dropped anyway. */
const GIVE_UP_MS = 5000;

/**
 * Renders the newest job's view once, hidden from sight, from assistive
 * technology and from the keyboard, then drops it (`onDone`). A job's view
 * is the app's heaviest screen, and the first one of a session took about
 * twice as long to show its rows as the next (bench/ui: code and styles met
 * for the first time); this moves that first time to a moment when the app
 * is idle. That job's summary and first rows stay cached for its opening.
 */
export function Prewarm({
  jobView: JobView,
  onDone,
}: {
  jobView: ComponentType<{ localId: number }>;
  onDone: () => void;
}) {
  // The Jobs list's own query: its answer also serves that screen.
  const jobs = useQuery(jobsListQuery(null));
  const newest = jobs.data?.find((j) => j.storedRecords > 0)?.localId;
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (jobs.isError || (jobs.data && newest == null)) onDone();
  }, [jobs.isError, jobs.data, newest, onDone]);

  useEffect(() => {
    const el = box.current;
    if (newest == null || !el) return;
    el.setAttribute("inert", "");
    let frame = 0;
    // Done once rows with data are laid out (and a frame has passed).
    const check = () => {
      if (frame || !el.querySelector("tbody td:not(.muted)")) return;
      frame = requestAnimationFrame(onDone);
    };
    const mo = new MutationObserver(check);
    mo.observe(el, { subtree: true, childList: true });
    const t = setTimeout(onDone, GIVE_UP_MS);
    return () => {
      mo.disconnect();
      cancelAnimationFrame(frame);
      clearTimeout(t);
    };
  }, [newest, onDone]);

  if (newest == null) return null;
  return (
    <div className="prewarm" aria-hidden="true" ref={box}>
      <JobView localId={newest} />
    </div>
  );
}
