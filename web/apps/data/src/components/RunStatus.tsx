// What the run on screen is doing: queued (with how many are ahead), running
// (with the time so far), finished (rows, time, CSV), or why it failed.
import { useEffect, useState } from "react";
import { ApiError, ErrorMessage, type Run, type RunDetail } from "@lyceum/ui";
import { useT } from "../i18n";
import { between, formatBytes, formatDuration } from "../lib/format";

function useNow(active: boolean, every = 250) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(id);
  }, [active, every]);
  return now;
}

/** The spoken and shown state of a run, without its ticking clock. */
export function RunState({ detail }: { detail: RunDetail }) {
  const { t, locale } = useT();
  const { run, queuePosition } = detail;
  const now = useNow(run.status === "running" || run.status === "queued");
  const elapsed = between(run.startedAt ?? run.createdAt, run.finishedAt, now) ?? 0;
  const waited = between(run.createdAt, undefined, now) ?? 0;

  if (run.status === "queued")
    return (
      <div className="run-state run-queued" data-testid="run-state" data-status="queued">
        <span className="spinner" aria-hidden="true" />
        <span role="status">
          {queuePosition === undefined || queuePosition === null
            ? t("run.queued")
            : queuePosition === 0
              ? t("run.next")
              : t("run.ahead", { count: queuePosition })}
        </span>
        <span className="muted small" aria-hidden="true">
          {formatDuration(waited, locale)}
        </span>
      </div>
    );
  if (run.status === "running")
    return (
      <div className="run-state run-running" data-testid="run-state" data-status="running">
        <span className="spinner" aria-hidden="true" />
        <span role="status">{t("run.running")}</span>
        <span className="clock" aria-label={t("run.elapsed")}>
          {formatDuration(elapsed, locale)}
        </span>
      </div>
    );
  if (run.status === "succeeded")
    return (
      <div className="run-state run-done" data-testid="run-state" data-status="succeeded">
        <svg width="18" height="18" viewBox="0 0 20 20" aria-hidden="true" focusable="false" className="ok-icon">
          <circle cx="10" cy="10" r="9" fill="currentColor" />
          <path d="M5.5 10.5l3 3 6-6.5" fill="none" stroke="#fff" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span role="status">{t("run.rows", { count: run.rows })}</span>
        <span className="muted small">
          {t("run.took", { time: formatDuration(elapsed, locale) })} · {formatBytes(run.bytes, locale)}
        </span>
      </div>
    );
  return null;
}

/** Why a run failed, in plain words, with the warehouse's own message. */
export function RunFailure({ run }: { run: Run }) {
  const { t } = useT();
  if (run.status === "canceled")
    return (
      <div className="alert alert-info" role="status" data-testid="run-canceled">
        <p>{t("run.canceled")}</p>
      </div>
    );
  if (run.status !== "failed") return null;
  const code = run.errorCode ?? "internal";
  const known = ["not_read_only", "invalid", "timeout", "too_large", "canceled"].includes(code);
  return (
    <div className="alert alert-error run-error" role="alert" data-testid="run-error" data-code={code}>
      <p>
        <strong>{t(known ? (`runError.${code}` as "runError.invalid") : "runError.internal")}</strong>
      </p>
      {code === "not_read_only" && <p>{t("runError.not_read_only.explain")}</p>}
      {code === "timeout" && <p>{t("runError.timeout.explain")}</p>}
      {code === "too_large" && <p>{t("runError.too_large.explain")}</p>}
      {run.error && (
        <pre className="server-message" lang="en">
          {run.error}
        </pre>
      )}
    </div>
  );
}

/** A failed start: too many running gets its own words; others the usual message. */
export function StartError({ error }: { error: unknown }) {
  const { t, locale } = useT();
  if (error instanceof ApiError && error.code === "too_many_requests")
    return (
      <div className="alert alert-warning" role="alert" data-testid="run-start-error">
        <p>
          <strong>{error.fromServer && error.message && locale === "en" ? error.message : t("run.tooMany")}</strong>
        </p>
        <p>{t("run.tooManyHelp")}</p>
        {error.fromServer && error.message && locale !== "en" && (
          <p className="small" lang="en">
            {error.message}
          </p>
        )}
      </div>
    );
  if (error instanceof ApiError && error.code === "invalid" && error.field?.startsWith("params."))
    return (
      <div className="alert alert-error" role="alert" data-testid="run-start-error">
        <p>{t("run.paramInvalid", { name: error.field.slice("params.".length) })}</p>
        {error.fromServer && error.message && (
          <p className="small" lang="en">
            {error.message}
          </p>
        )}
      </div>
    );
  return <ErrorMessage error={error} />;
}
