import { type ComponentType, useEffect, useState } from "react";

/** A screen whose code is in its own file: loaded on first use or ahead of it. */
export type ScreenLoader<P> = {
  preload: () => Promise<ComponentType<P>>;
  loaded: () => ComponentType<P> | null;
};

export function lazyScreen<P extends object>(
  load: () => Promise<ComponentType<P>>,
): ScreenLoader<P> {
  let component: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  return {
    preload: () => {
      loading ??= load().then(
        (c) => {
          component = c;
          return c;
        },
        (e) => {
          loading = null; // a later try may succeed
          throw e;
        },
      );
      return loading;
    },
    loaded: () => component,
  };
}

/**
 * Renders a lazily loaded screen. Unlike React.lazy, a screen loaded ahead
 * renders at once: lazy suspends on its first render even then, and React
 * keeps a fallback it has shown for at least 300 ms.
 */
export function LazyScreen<P extends object>({
  screen,
  props,
}: {
  screen: ScreenLoader<P>;
  props: P;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const [, setLoaded] = useState(false);
  useEffect(() => {
    if (screen.loaded()) return;
    let live = true;
    screen.preload().then(
      () => live && setLoaded(true),
      (e) => live && setFailed(String(e)),
    );
    return () => {
      live = false;
    };
  }, [screen]);
  const C = screen.loaded();
  if (C) return <C {...props} />;
  if (failed) {
    return <p role="alert">This screen could not be loaded. Restart the app. ({failed})</p>;
  }
  return <p className="muted">Loading…</p>;
}
