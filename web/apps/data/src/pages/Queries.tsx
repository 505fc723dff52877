// Saved queries: mine and the ones shared with the organization, searchable by title.
import { useId, useMemo, useState } from "react";
import { ErrorMessage, Link, Loading, useAsync, useDocumentTitle, useSession, type SavedQuery } from "@lyceum/ui";
import { useT } from "../i18n";

export function QueriesPage() {
  const { t } = useT();
  const { client } = useSession();
  const id = useId();
  const [lists, reload] = useAsync((signal) => client.data.queries(signal), [client]);
  const [search, setSearch] = useState("");
  useDocumentTitle(t("queries.title"), t("app.title"));

  const match = useMemo(() => {
    const words = search.toLowerCase().split(/\s+/).filter(Boolean);
    return (q: SavedQuery) => words.every((w) => q.title.toLowerCase().includes(w));
  }, [search]);

  return (
    <div className="data-container narrow">
      <div className="page-head">
        <h1>{t("queries.title")}</h1>
        <Link to="/" className="btn btn-primary">
          {t("queries.new")}
        </Link>
      </div>
      <div className="field search-field">
        <label htmlFor={`${id}-s`}>{t("queries.search")}</label>
        <input id={`${id}-s`} className="input" type="search" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="query-search" />
      </div>
      {lists.state === "loading" && <Loading />}
      {lists.state === "error" && <ErrorMessage error={lists.error} onRetry={reload} />}
      {lists.state === "ready" && (
        <>
          <QueryList title={t("queries.mine")} empty={search ? t("queries.noMatch") : t("queries.mineEmpty")} queries={lists.data.mine.filter(match)} testId="mine" />
          <QueryList
            title={t("queries.shared")}
            empty={search ? t("queries.noMatch") : t("queries.sharedEmpty")}
            queries={lists.data.shared.filter((q) => !lists.data.mine.some((m) => m.id === q.id)).filter(match)}
            testId="shared"
          />
        </>
      )}
    </div>
  );
}

function QueryList({ title, empty, queries, testId }: { title: string; empty: string; queries: SavedQuery[]; testId: string }) {
  const { t, dateTime } = useT();
  const id = useId();
  return (
    <section aria-labelledby={id} className="query-section">
      <h2 id={id}>
        {title} <span className="muted count">({queries.length})</span>
      </h2>
      {queries.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="query-list" data-testid={testId}>
          {queries.map((q) => (
            <li key={q.id} className="query-item">
              <div className="query-item-head">
                <Link to={`/q/${q.id}`} className="query-link">
                  {q.title}
                </Link>
                <span className={q.visibility === "organization" ? "badge badge-primary" : "badge"}>{t(`visibility.${q.visibility}`)}</span>
              </div>
              {q.description && <p className="query-desc">{q.description}</p>}
              <p className="muted small query-meta">
                {t("queries.updated", { date: dateTime(q.updatedAt), n: q.version })}
                {q.chart && <> · {t(`chart.type.${q.chart.type}`)}</>}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
