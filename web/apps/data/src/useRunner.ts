// One run on screen: start it (or show an existing one), poll it every
// 500 ms until it has finished, cancel it.
import { useCallback, useEffect, useRef, useState } from "react";
import { useSession, type Run, type RunDetail, type Schemas } from "@lyceum/ui";

export const POLL_MS = 500;

export function isFinished(run: Run | undefined | null): boolean {
  return !!run && (run.status === "succeeded" || run.status === "failed" || run.status === "canceled");
}

export interface Runner {
  /** The run shown, as last polled. */
  detail: RunDetail | null;
  /** Why the last start, load or cancel failed (an ApiError). */
  error: unknown;
  /** True while polling keeps failing (the server can't be reached). */
  reconnecting: boolean;
  starting: boolean;
  canceling: boolean;
  start(body: Schemas["RunRequest"]): Promise<RunDetail | null>;
  /** Shows a run by id (or a run already at hand), polling while it isn't finished. */
  show(run: string | Run): Promise<void>;
  cancel(): Promise<void>;
  clear(): void;
  /** The id of the run on screen (or being loaded). */
  currentId(): string | null;
}

export function useRunner(onFinished?: (run: Run) => void): Runner {
  const { client } = useSession();
  const [detail, setDetail] = useState<RunDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reconnecting, setReconnecting] = useState(false);
  const [starting, setStarting] = useState(false);
  const [canceling, setCanceling] = useState(false);
  const current = useRef<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const finished = useRef(onFinished);
  finished.current = onFinished;

  const stop = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = undefined;
  }, []);

  const done = useRef<string | null>(null);

  /** Takes a newer state of the current run; tells onFinished once per run. */
  const accept = useCallback((d: RunDetail) => {
    if (done.current === d.run.id) return; // a late poll after cancel
    setDetail((old) => (old && old.run.id === d.run.id && !d.columns && old.columns ? { ...d, columns: old.columns } : d));
    if (isFinished(d.run)) {
      done.current = d.run.id;
      finished.current?.(d.run);
    }
  }, []);

  const poll = useCallback(
    (id: string, delay: number, failures = 0) => {
      stop();
      timer.current = setTimeout(async () => {
        try {
          const d = await client.data.run(id);
          if (current.current !== id) return;
          setReconnecting(false);
          accept(d);
          if (!isFinished(d.run)) poll(id, POLL_MS);
        } catch {
          if (current.current !== id) return;
          // Keep trying, more slowly, and say so after a few failures.
          if (failures >= 2) setReconnecting(true);
          poll(id, Math.min(5000, 1000 * (failures + 1)), failures + 1);
        }
      }, delay);
    },
    [client, stop, accept],
  );

  useEffect(
    () => () => {
      current.current = null;
      stop();
    },
    [stop],
  );

  const start = useCallback(
    async (body: Schemas["RunRequest"]) => {
      stop();
      setStarting(true);
      setError(null);
      setReconnecting(false);
      try {
        const res = await client.data.startRun(body);
        current.current = res.run.id;
        done.current = null;
        const d: RunDetail = { run: res.run, queuePosition: res.queuePosition };
        accept(d);
        if (!isFinished(res.run)) poll(res.run.id, POLL_MS);
        return d;
      } catch (err) {
        setError(err);
        return null;
      } finally {
        setStarting(false);
      }
    },
    [client, poll, stop, accept],
  );

  const show = useCallback(
    async (run: string | Run) => {
      stop();
      setError(null);
      setReconnecting(false);
      const id = typeof run === "string" ? run : run.id;
      current.current = id;
      // Showing a run that already finished is not a run finishing now.
      done.current = typeof run !== "string" && isFinished(run) ? id : null;
      if (typeof run !== "string") {
        setDetail({ run });
        if (!isFinished(run)) poll(id, 0);
        return;
      }
      setDetail(null);
      try {
        const d = await client.data.run(id);
        if (current.current !== id) return;
        setDetail(d);
        if (isFinished(d.run)) done.current = id;
        else poll(id, POLL_MS);
      } catch (err) {
        if (current.current === id) setError(err);
      }
    },
    [client, poll, stop],
  );

  const cancel = useCallback(async () => {
    const id = current.current;
    if (!id) return;
    setCanceling(true);
    try {
      const res = await client.data.cancelRun(id);
      if (current.current !== id) return;
      accept({ run: res.run });
      if (isFinished(res.run)) stop();
    } catch (err) {
      if (current.current === id) setError(err);
    } finally {
      setCanceling(false);
    }
  }, [client, accept, stop]);

  const clear = useCallback(() => {
    stop();
    current.current = null;
    setDetail(null);
    setError(null);
    setReconnecting(false);
  }, [stop]);

  const currentId = useCallback(() => current.current, []);

  return { detail, error, reconnecting, starting, canceling, start, show, cancel, clear, currentId };
}
