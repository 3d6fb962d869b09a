// Reordering the table's columns from their headers: drag a header onto
// another, or Alt+Left / Alt+Right on a focused header. The new order is
// the layout's, which the job keeps with its view.
import { useCallback, useEffect, useRef, useState } from "react";
import type { Column, TableColumn } from "../../lib/ipc";
import { arrange, moveColumnTo, moveShown } from "./tableLayout";

/** How far the pointer travels before a press on a header becomes a drag (a click sorts). */
const DRAG_AFTER_PX = 6;

/** The keys that move a header's column, for `aria-keyshortcuts`. */
export const MOVE_KEYS = "Alt+ArrowLeft Alt+ArrowRight";

type Drop = { key: string; after: boolean };

/** The header cell under `x` in `row` and which half of it: where a drop lands. */
function dropAt(row: Element | null, x: number): Drop | null {
  if (!row) return null;
  for (const th of row.querySelectorAll<HTMLElement>("th[data-col-key]")) {
    const r = th.getBoundingClientRect();
    if (x >= r.left && x < r.right)
      return { key: th.dataset.colKey ?? "", after: x >= r.left + r.width / 2 };
  }
  return null;
}

export function useColumnMove(
  columns: Column[],
  layout: TableColumn[],
  setLayout: (layout: TableColumn[]) => void,
) {
  /** Said to screen readers after a move ("Deal stage is now column 3 of 8"). */
  const [status, setStatus] = useState("");
  /** The header being dragged and where it would land, for the drop mark. */
  const [dragging, setDragging] = useState<{ key: string; over: Drop | null } | null>(null);
  const press = useRef<{ key: string; x: number; moved: boolean; over: Drop | null } | null>(null);
  const swallowClick = useRef(false);
  /** The header to focus again once a keyboard move has re-rendered the row. */
  const refocus = useRef<{ row: Element; key: string } | null>(null);

  const apply = useCallback(
    (key: string, next: TableColumn[] | null) => {
      if (!next) return false;
      setLayout(next);
      const shown = arrange(columns, next, () => 0);
      const at = shown.findIndex((p) => p.col.key === key);
      const label = shown[at]?.col.label ?? key;
      setStatus(`${label} is now column ${at + 1} of ${shown.length}.`);
      return true;
    },
    [columns, setLayout],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once the moved layout has rendered
  useEffect(() => {
    const r = refocus.current;
    if (!r) return;
    refocus.current = null;
    for (const th of r.row.querySelectorAll<HTMLElement>("th[data-col-key]"))
      if (th.dataset.colKey === r.key) {
        const target = th.querySelector<HTMLElement>("button") ?? th;
        if (document.activeElement !== target) target.focus();
      }
  }, [layout]);

  /** Props for header `key`'s cell. */
  const headerProps = (key: string) => ({
    "data-col-key": key,
    onKeyDown: (e: React.KeyboardEvent<HTMLElement>) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      e.preventDefault();
      e.stopPropagation();
      const row = e.currentTarget.closest("tr");
      const moved = apply(key, moveShown(columns, layout, key, e.key === "ArrowLeft" ? -1 : 1));
      if (moved && row) refocus.current = { row, key };
      else if (!moved) setStatus("This column cannot move further that way.");
    },
    onPointerDown: (e: React.PointerEvent<HTMLElement>) => {
      swallowClick.current = false;
      // The resize handle at the header's edge has its own drag.
      if (e.button !== 0 || (e.target as HTMLElement).closest("[role=separator]")) return;
      press.current = { key, x: e.clientX, moved: false, over: null };
    },
    onPointerMove: (e: React.PointerEvent<HTMLElement>) => {
      const p = press.current;
      if (!p) return;
      if (!p.moved) {
        if (Math.abs(e.clientX - p.x) < DRAG_AFTER_PX) return;
        p.moved = true;
        e.currentTarget.setPointerCapture?.(e.pointerId);
      }
      const over = dropAt(e.currentTarget.closest("tr"), e.clientX);
      const next = over && over.key !== key ? over : null;
      // The table re-renders only when the landing place changes.
      if (p.over && next?.key === p.over.key && next.after === p.over.after) return;
      p.over = next;
      setDragging({ key, over: next });
    },
    onPointerUp: (e: React.PointerEvent<HTMLElement>) => {
      const p = press.current;
      press.current = null;
      if (!p?.moved) return;
      e.currentTarget.releasePointerCapture?.(e.pointerId);
      setDragging(null);
      // The press was a drag, not a click on the sort button.
      swallowClick.current = true;
      if (p.over) apply(key, moveColumnTo(columns, layout, key, p.over.key, p.over.after));
    },
    onPointerCancel: () => {
      press.current = null;
      setDragging(null);
    },
    onClickCapture: (e: React.MouseEvent) => {
      if (!swallowClick.current) return;
      swallowClick.current = false;
      e.preventDefault();
      e.stopPropagation();
    },
  });

  /** Classes for header `key` while a header is dragged: the dragged one, the landing side. */
  const markOf = (key: string) => {
    if (!dragging) return "";
    if (dragging.key === key) return " dragged";
    if (dragging.over?.key !== key) return "";
    return dragging.over.after ? " drop-after" : " drop-before";
  };

  return { headerProps, markOf, status };
}
