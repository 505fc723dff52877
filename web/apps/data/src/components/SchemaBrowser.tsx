// The warehouse's tables beside the editor: search, descriptions, columns
// with their types; a click inserts the name into the editor.
import { useId, useMemo, useState } from "react";
import { ErrorMessage, Loading, type Async, type DataSchema } from "@lyceum/ui";
import { useT } from "../i18n";
import { sqlName } from "../lib/format";

export function SchemaBrowser({ schema, onInsert, onRetry }: { schema: Async<DataSchema>; onInsert(name: string): void; onRetry(): void }) {
  const { t } = useT();
  const [filter, setFilter] = useState("");
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const id = useId();

  const tables = useMemo(() => {
    if (schema.state !== "ready") return [];
    const f = filter.trim().toLowerCase();
    if (!f) return schema.data.tables;
    return schema.data.tables.filter(
      (tb) => tb.name.toLowerCase().includes(f) || tb.description.toLowerCase().includes(f) || tb.columns.some((c) => c.name.toLowerCase().includes(f)),
    );
  }, [schema, filter]);

  return (
    <section className="schema" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="panel-title">
        {t("schema.title")}
      </h2>
      {schema.state === "loading" && <Loading />}
      {schema.state === "error" && <ErrorMessage error={schema.error} onRetry={onRetry} />}
      {schema.state === "ready" && (
        <>
          <label className="visually-hidden" htmlFor={`${id}-f`}>
            {t("schema.filter")}
          </label>
          <input
            id={`${id}-f`}
            className="input input-small"
            type="search"
            placeholder={t("schema.filter")}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          {schema.data.scope && (
            <p className="alert alert-info schema-scope" role="note" data-testid="schema-scope">
              {schema.data.scope.courses.length > 0
                ? t("schema.scoped", { courses: schema.data.scope.courses.map((c) => c.title).join(", ") })
                : t("schema.scopedNone")}
            </p>
          )}
          <p className="hint schema-hint">{t("schema.hint")}</p>
          {tables.length === 0 && <p className="muted small">{filter ? t("schema.noMatch") : t("schema.empty")}</p>}
          <ul className="schema-tables">
            {tables.map((tb) => {
              const expanded = open[tb.name] ?? (filter.trim() !== "" && tables.length <= 3);
              return (
                <li key={tb.name}>
                  <div className="schema-table">
                    <button
                      type="button"
                      className="schema-toggle"
                      aria-expanded={expanded}
                      aria-label={t(expanded ? "schema.hideColumns" : "schema.showColumns", { table: tb.name })}
                      onClick={() => setOpen((o) => ({ ...o, [tb.name]: !expanded }))}
                    >
                      <svg width="12" height="12" viewBox="0 0 12 12" aria-hidden="true" focusable="false" className={expanded ? "chev open" : "chev"}>
                        <path d="M4 2l4 4-4 4" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
                      </svg>
                    </button>
                    <button
                      type="button"
                      className="schema-name"
                      title={t("schema.insert", { name: tb.name })}
                      onClick={() => onInsert(sqlName(tb.name))}
                    >
                      <span className="visually-hidden">{t("schema.insertPrefix")} </span>
                      {tb.name}
                    </button>
                  </div>
                  {tb.description && <p className="schema-desc">{tb.description}</p>}
                  {expanded && (
                    <ul className="schema-columns" aria-label={t("schema.columnsOf", { table: tb.name })}>
                      {tb.columns.map((c) => (
                        <li key={c.name}>
                          <button type="button" className="schema-col" title={t("schema.insert", { name: c.name })} onClick={() => onInsert(sqlName(c.name))}>
                            <span className="visually-hidden">{t("schema.insertPrefix")} </span>
                            <span className="col-name">{c.name}</span> <span className="col-type">{c.type}</span>
                          </button>
                          {c.description && <p className="schema-desc">{c.description}</p>}
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
