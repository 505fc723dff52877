// A run's result, a page of 100 rows at a time from the server: sort by a
// column (server-side), pages, total, sticky header, numbers on the right,
// NULL shown as such.
import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { ErrorMessage, Loading, useSession, type ResultColumn, type RunRows } from "@lyceum/ui";
import { useT } from "../i18n";
import { cellText, isNumericType, timeCell, timeZoneName } from "../lib/format";

export const PAGE_SIZE = 100;

interface Sort {
  column: string;
  desc: boolean;
}

export function ResultGrid({ runId, total }: { runId: string; total: number }) {
  const { t, locale, number } = useT();
  const { client } = useSession();
  const [page, setPage] = useState(0);
  const [sort, setSort] = useState<Sort | null>(null);
  const [data, setData] = useState<RunRows | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  const [jump, setJump] = useState("");
  const scroller = useRef<HTMLDivElement>(null);
  const id = useId();

  const count = data?.total ?? total;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));

  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    client.data
      .rows(runId, { offset: page * PAGE_SIZE, limit: PAGE_SIZE, sort: sort?.column, desc: sort?.desc }, ac.signal)
      .then(
        (d) => {
          if (ac.signal.aborted) return;
          setData(d);
          setLoading(false);
          scroller.current?.scrollTo?.({ top: 0 });
        },
        (err) => {
          if (ac.signal.aborted) return;
          setError(err);
          setLoading(false);
        },
      );
    return () => ac.abort();
  }, [client, runId, page, sort, n]);

  useEffect(() => setJump(String(page + 1)), [page]);

  function sortBy(c: ResultColumn) {
    setPage(0);
    setSort((s) => (s?.column !== c.name ? { column: c.name, desc: false } : !s.desc ? { column: c.name, desc: true } : null));
  }

  function go(e: FormEvent) {
    e.preventDefault();
    const p = Number.parseInt(jump, 10);
    if (Number.isFinite(p)) setPage(Math.min(pages, Math.max(1, p)) - 1);
  }

  if (!data && loading) return <Loading label={t("grid.loading")} />;
  if (!data && error) return <ErrorMessage error={error} onRetry={() => setN((x) => x + 1)} />;
  if (!data) return null;

  const columns = data.columns;
  const numeric = columns.map((c) => isNumericType(c.type));
  // Plain timestamps read in UTC as stored, zoned ones in the viewer's zone;
  // the raw value is the cell's title.
  const cells = data.rows.map((r) => columns.map((c, i) => timeCell(r[i], c.type)));
  const zones = new Set(cells.flatMap((r) => r.map((c) => c?.zone)));
  const first = count === 0 ? 0 : page * PAGE_SIZE + 1;
  const last = Math.min(count, page * PAGE_SIZE + data.rows.length);
  const sorted = sort ? t(sort.desc ? "grid.sortedDesc" : "grid.sortedAsc", { column: sort.column }) : "";

  return (
    <div className="grid-wrap">
      {error != null && <ErrorMessage error={error} onRetry={() => setN((x) => x + 1)} />}
      <div
        className="grid-scroll"
        ref={scroller}
        tabIndex={0}
        role="region"
        aria-labelledby={`${id}-cap`}
        aria-busy={loading}
        data-testid="result-grid"
      >
        <table className="grid">
          <caption id={`${id}-cap`} className="visually-hidden">
            {t("grid.caption", { first, last, total: count })} {sorted}
          </caption>
          <thead>
            <tr>
              <th scope="col" className="rownum">
                <span className="visually-hidden">{t("grid.rowNumber")}</span>#
              </th>
              {columns.map((c, i) => {
                const active = sort?.column === c.name;
                return (
                  <th
                    key={i}
                    scope="col"
                    className={numeric[i] ? "num" : undefined}
                    aria-sort={active ? (sort!.desc ? "descending" : "ascending") : undefined}
                  >
                    <button type="button" className="sort" onClick={() => sortBy(c)} title={t("grid.sortBy", { column: c.name })}>
                      <span className="col-head">
                        <span className="col-name">{c.name}</span>
                        <span className="col-type">{c.type}</span>
                      </span>
                      <SortIcon state={active ? (sort!.desc ? "desc" : "asc") : "none"} />
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {data.rows.map((r, ri) => (
              <tr key={ri}>
                <td className="rownum">{number(page * PAGE_SIZE + ri + 1, { useGrouping: false })}</td>
                {columns.map((_, ci) => {
                  const v = r[ci];
                  if (v === null || v === undefined)
                    return (
                      <td key={ci} className={numeric[ci] ? "num" : undefined}>
                        <span className="null">NULL</span>
                      </td>
                    );
                  const tc = cells[ri]![ci];
                  if (tc)
                    return (
                      <td key={ci} title={String(v)}>
                        {tc.text}
                      </td>
                    );
                  const text = cellText(v, locale);
                  return (
                    <td key={ci} className={numeric[ci] || typeof v === "number" ? "num" : undefined} title={text.length > 40 ? text : undefined}>
                      {text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        {count === 0 && <p className="grid-empty muted">{t("grid.noRows")}</p>}
      </div>
      <nav className="pager" aria-label={t("grid.pages")}>
        {zones.has("utc") && <p className="muted small grid-zone">{t("grid.utcTimes")}</p>}
        {zones.has("local") && <p className="muted small grid-zone">{t("grid.localTimes", { zone: timeZoneName() })}</p>}
        <p className="pager-count" aria-live="polite">
          {count === 0 ? t("grid.zero") : t("grid.range", { first, last, total: count })}
          {loading && <span className="spinner spinner-small" aria-hidden="true" />}
        </p>
        {pages > 1 && (
          <div className="pager-buttons">
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setPage(0)} disabled={page === 0} aria-label={t("grid.first")}>
              «
            </button>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setPage(page - 1)} disabled={page === 0}>
              {t("grid.prev")}
            </button>
            <form className="pager-jump" onSubmit={go}>
              <label htmlFor={`${id}-page`}>{t("grid.page")}</label>
              <input
                id={`${id}-page`}
                className="input input-small"
                inputMode="numeric"
                value={jump}
                onChange={(e) => setJump(e.target.value)}
                size={4}
              />
              <span>{t("grid.of", { pages })}</span>
              <button type="submit" className="btn btn-ghost btn-small">
                {t("grid.go")}
              </button>
            </form>
            <button type="button" className="btn btn-secondary btn-small" onClick={() => setPage(page + 1)} disabled={page >= pages - 1}>
              {t("grid.next")}
            </button>
            <button
              type="button"
              className="btn btn-secondary btn-small"
              onClick={() => setPage(pages - 1)}
              disabled={page >= pages - 1}
              aria-label={t("grid.last")}
            >
              »
            </button>
          </div>
        )}
      </nav>
    </div>
  );
}

function SortIcon({ state }: { state: "asc" | "desc" | "none" }) {
  return (
    <svg width="12" height="14" viewBox="0 0 12 14" aria-hidden="true" focusable="false" className={`sort-icon sort-${state}`}>
      <path d="M6 1l4 5H2z" className="up" />
      <path d="M6 13l4-5H2z" className="down" />
    </svg>
  );
}
