import { shorten } from "../lib/format";

/** Long text shortened with an ellipsis; the whole text on hover and for screen readers. */
export function ShortText({ text, max = 140 }: { text: string; max?: number }) {
  const short = shorten(text, max);
  if (short === text) return <>{text}</>;
  return (
    <span title={text}>
      <span aria-hidden="true">{short}</span>
      <span className="visually-hidden">{text}</span>
    </span>
  );
}
