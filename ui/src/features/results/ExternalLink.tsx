import type { ReactNode } from "react";
import { ipc } from "../../lib/ipc";

/** A bare domain ("acme.com") becomes an https link; the engine opens only web links. */
export function toWebUrl(link: string): string {
  return /^https?:\/\//i.test(link) ? link : `https://${link}`;
}

/** Opens in the default browser through the engine, never inside the app window. */
export function ExternalLink({ href, children }: { href: string; children?: ReactNode }) {
  const url = toWebUrl(href);
  return (
    <a
      href={url}
      className="external"
      onClick={(e) => {
        e.preventDefault();
        e.stopPropagation();
        void ipc.openLink(url).catch(() => {
          // Nothing useful to add: the link text shows where it goes.
        });
      }}
    >
      {children ?? href}
      <span className="visually-hidden"> (opens in your browser)</span>
    </a>
  );
}
