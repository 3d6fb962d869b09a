import { ipc } from "../../lib/ipc";

/** A bare domain ("acme.com") becomes an https link; the engine opens only web links. */
export function toWebUrl(link: string): string {
  return /^https?:\/\//i.test(link) ? link : `https://${link}`;
}

/**
 * Opens in the default browser through the engine, never inside the app
 * window. Where it goes is said in its accessible name, not in a hidden
 * element: in the results table each such element was a clipped,
 * positioned box that cost a fifth of a scroll frame.
 */
export function ExternalLink({ href, children }: { href: string; children?: string }) {
  const url = toWebUrl(href);
  const text = children || href;
  return (
    <a
      href={url}
      className="external"
      aria-label={`${text} (opens in your browser)`}
      onClick={(e) => {
        e.preventDefault();
        e.stopPropagation();
        void ipc.openLink(url).catch(() => {
          // Nothing useful to add: the link text shows where it goes.
        });
      }}
    >
      {text}
    </a>
  );
}
