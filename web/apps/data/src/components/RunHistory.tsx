// Runs of a saved query, or the user's own recent runs: status, when, how
// long, rows; each opens at /runs/{id}.
import { ErrorMessage, Link, Loading, type Async, type Run } from "@lyceum/ui";
import { useT } from "../i18n";
import { between, formatDuration, sqlSnippet } from "../lib/format";

export function StatusBadge({ status }: { status: Run["status"] }) {
  const { t } = useT();
  const cls = status === "succeeded" ? "badge-success" : status === "failed" ? "badge-danger" : status === "canceled" ? "" : "badge-primary";
  return <span className={`badge ${cls}`}>{t(`runStatus.${status}`)}</span>;
}

export function RunHistory({ runs, onRetry, currentId, showSql }: { runs: Async<{ runs: Run[] }>; onRetry(): void; currentId?: string; showSql?: boolean }) {
  const { t, dateTime, locale } = useT();
  if (runs.state === "loading") return <Loading />;
  if (runs.state === "error") return <ErrorMessage error={runs.error} onRetry={onRetry} />;
  const list = runs.data.runs.slice(0, 50);
  if (list.length === 0) return <p className="muted">{t("history.none")}</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={t("history.title")}>
      <table className="list-table">
        <thead>
          <tr>
            <th scope="col">{t("history.when")}</th>
            <th scope="col">{t("history.status")}</th>
            {showSql && <th scope="col">{t("history.sql")}</th>}
            <th scope="col" className="num">
              {t("history.rows")}
            </th>
            <th scope="col" className="num">
              {t("history.duration")}
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((r) => {
            const d = between(r.startedAt, r.finishedAt);
            return (
              <tr key={r.id} aria-current={r.id === currentId ? "true" : undefined}>
                <td>
                  <Link to={`/runs/${r.id}`}>{dateTime(r.createdAt)}</Link>
                  {r.id === currentId && <span className="muted small"> · {t("history.shown")}</span>}
                </td>
                <td>
                  <StatusBadge status={r.status} />
                  {r.truncated && <span className="badge badge-warning">{t("history.capped")}</span>}
                </td>
                {showSql && (
                  <td className="sql-cell">
                    <code title={r.sql}>{sqlSnippet(r.sql, 80)}</code>
                  </td>
                )}
                <td className="num">{r.status === "succeeded" ? r.rows : "–"}</td>
                <td className="num">{d !== null && r.finishedAt ? formatDuration(d, locale) : "–"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
