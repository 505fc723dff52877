// What runs on the warehouse now, for admins: running and queued queries,
// refreshed every 2 s, each with a Cancel button.
import { useEffect, useState } from "react";
import { ApiError, ErrorMessage, useDocumentTitle, useSession, type ActiveRuns, type AdminRun } from "@lyceum/ui";
import { useT } from "../i18n";
import { formatDuration, sqlSnippet } from "../lib/format";

export const REFRESH_MS = 2000;

export function AdminPage() {
  const { t, locale } = useT();
  const { client } = useSession();
  const [data, setData] = useState<ActiveRuns | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [at, setAt] = useState<Date | null>(null);
  const [canceling, setCanceling] = useState<Record<string, boolean>>({});
  const [n, setN] = useState(0);
  useDocumentTitle(t("admin.title"), t("app.title"));

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const ac = new AbortController();
    async function tick() {
      try {
        const d = await client.data.activeRuns(ac.signal);
        if (!live) return;
        setData(d);
        setError(null);
        setAt(new Date());
      } catch (err) {
        if (!live) return;
        setError(err);
        if (err instanceof ApiError && err.status === 403) return; // not an admin: stop
      }
      timer = setTimeout(tick, REFRESH_MS);
    }
    tick();
    return () => {
      live = false;
      ac.abort();
      clearTimeout(timer);
    };
  }, [client, n]);

  async function cancel(r: AdminRun) {
    setCanceling((c) => ({ ...c, [r.run.id]: true }));
    try {
      await client.data.cancelRun(r.run.id);
      setN((x) => x + 1);
    } catch (err) {
      setError(err);
    } finally {
      setCanceling((c) => ({ ...c, [r.run.id]: false }));
    }
  }

  const forbidden = error instanceof ApiError && error.status === 403;
  if (forbidden)
    return (
      <div className="data-container narrow">
        <h1>{t("admin.title")}</h1>
        <div className="alert alert-info" role="note">
          <p>{t("admin.only")}</p>
        </div>
      </div>
    );

  const table = (rows: AdminRun[], queued: boolean, testId: string) =>
    rows.length === 0 ? (
      <p className="muted">{queued ? t("admin.noQueued") : t("admin.noRunning")}</p>
    ) : (
      <div className="table-scroll" tabIndex={0} role="region" aria-label={queued ? t("admin.queued") : t("admin.running")}>
        <table className="list-table" data-testid={testId}>
          <thead>
            <tr>
              {queued && (
                <th scope="col" className="num">
                  {t("admin.position")}
                </th>
              )}
              <th scope="col">{t("admin.user")}</th>
              <th scope="col">{t("admin.sql")}</th>
              <th scope="col" className="num">
                {queued ? t("admin.waiting") : t("admin.duration")}
              </th>
              <th scope="col">
                <span className="visually-hidden">{t("admin.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.run.id}>
                {queued && <td className="num">{r.elsewhere ? "–" : (r.queuePosition ?? 0) + 1}</td>}
                <td>{r.userEmail}</td>
                <td className="sql-cell">
                  <code title={r.run.sql}>{sqlSnippet(r.run.sql, 100)}</code>
                  {r.run.source === "api" && <span className="badge">{t("admin.api")}</span>}
                  {r.elsewhere && (
                    <span className="badge" title={t("admin.elsewhereHint")}>
                      {t("admin.elsewhere")}
                    </span>
                  )}
                </td>
                <td className="num">{formatDuration(r.durationMs, locale)}</td>
                <td>
                  <button
                    type="button"
                    className="btn btn-secondary btn-small"
                    onClick={() => cancel(r)}
                    disabled={canceling[r.run.id]}
                    aria-label={t("admin.cancelFor", { user: r.userEmail })}
                  >
                    {t("run.cancel")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );

  return (
    <div className="data-container">
      <div className="page-head">
        <h1>{t("admin.title")}</h1>
        <p className="muted small" aria-live="off">
          {at ? t("admin.updated", { time: at.toLocaleTimeString(locale) }) : t("loading")}
        </p>
      </div>
      <p className="muted">{t("admin.intro")}</p>
      {error != null && <ErrorMessage error={error} />}
      {data && (
        <>
          <section aria-labelledby="admin-running">
            <h2 id="admin-running">
              {t("admin.running")} <span className="muted count">({data.running.length})</span>
            </h2>
            {table(data.running, false, "admin-running")}
          </section>
          <section aria-labelledby="admin-queued">
            <h2 id="admin-queued">
              {t("admin.queued")} <span className="muted count">({data.queued.length})</span>
            </h2>
            {table(data.queued, true, "admin-queued")}
          </section>
        </>
      )}
    </div>
  );
}
