import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";

export type Async<T> =
  | { state: "loading"; data?: undefined; error?: undefined }
  | { state: "ready"; data: T; error?: undefined }
  | { state: "error"; data?: undefined; error: unknown };

/**
 * Runs load when deps change, aborting the previous run. `reload` runs it
 * again; `set` replaces the data (after a write that returned the new state).
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList) {
  const [value, setValue] = useState<Async<T>>({ state: "loading" });
  const [n, setN] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const ac = new AbortController();
    setValue((v) => (v.state === "loading" ? v : { state: "loading" }));
    loadRef.current(ac.signal).then(
      (data) => !ac.signal.aborted && setValue({ state: "ready", data }),
      (error) => !ac.signal.aborted && setValue({ state: "error", error }),
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, n]);

  const reload = useCallback(() => setN((x) => x + 1), []);
  const set = useCallback((f: (old: T) => T) => {
    setValue((v) => (v.state === "ready" ? { state: "ready", data: f(v.data) } : v));
  }, []);
  return [value, reload, set] as const;
}

/** Sets the document's title to "<title> · <suffix>". */
export function useDocumentTitle(title: string | undefined, suffix = "Lyceum") {
  useEffect(() => {
    document.title = title ? `${title} · ${suffix}` : suffix;
  }, [title, suffix]);
}
