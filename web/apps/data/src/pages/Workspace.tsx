// The query page: the schema, the SQL editor with its parameters, Run and
// Cancel, the result as a chart and a paged table, saving, versions, forks
// and the history of runs. "/" is a scratch query (kept as a draft in this
// browser), "/runs/:id" one run, "/q/:id" a saved query with its latest result.
import { lazy, Suspense, useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import {
  ApiError,
  ErrorMessage,
  href,
  Link,
  Loading,
  navigate,
  useAsync,
  useDocumentTitle,
  useSession,
  type Chart,
  type QueryVersion,
  type SavedQuery,
  type SavedQueryDetail,
} from "@lyceum/ui";
import { useT } from "../i18n";
import { useSchema } from "../schema";
import { isFinished, useRunner } from "../useRunner";
import { paramsFor, parseParams } from "../lib/params";
import type { EditorHandle } from "../components/SqlEditor";
import { SchemaBrowser } from "../components/SchemaBrowser";
import { RunFailure, RunState, StartError } from "../components/RunStatus";
import { ResultGrid } from "../components/ResultGrid";
import { ChartPanel } from "../components/ChartPanel";
import { SaveDialog, type Details } from "../components/SaveDialog";
import { VersionsDialog } from "../components/VersionsDialog";
import { RunHistory } from "../components/RunHistory";

// CodeMirror is most of this page's code: loaded beside it, not before it.
const SqlEditor = lazy(() => import("../components/SqlEditor").then((m) => ({ default: m.SqlEditor })));

const DRAFT_KEY = "lyceum.data.draft";
const CARRY_KEY = "lyceum.data.carry";

function readDraft(): string {
  try {
    return localStorage.getItem(DRAFT_KEY) ?? "";
  } catch {
    return "";
  }
}
function writeDraft(sql: string) {
  try {
    localStorage.setItem(DRAFT_KEY, sql);
  } catch {
    // Private mode: no draft.
  }
}

/** Unsaved edits and the run on screen, carried to a query just saved or forked. */
interface Carry {
  queryId: string;
  sql?: string;
  chart?: Chart | null;
  runId?: string;
  params?: Record<string, string>;
}
function putCarry(c: Carry) {
  try {
    sessionStorage.setItem(CARRY_KEY, JSON.stringify(c));
  } catch {
    // Nothing carried.
  }
}
function takeCarry(queryId: string): Carry | null {
  try {
    const raw = sessionStorage.getItem(CARRY_KEY);
    if (!raw) return null;
    const c = JSON.parse(raw) as Carry;
    if (c.queryId !== queryId) return null;
    sessionStorage.removeItem(CARRY_KEY);
    return c;
  } catch {
    return null;
  }
}

/** Changes the URL to an app path without scrolling or remounting the page. */
function replaceUrl(path: string, push = true) {
  const url = href(path);
  if (url === window.location.pathname) return;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

function sameChart(a: Chart | undefined | null, b: Chart | undefined | null) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

type Boot = { state: "loading" } | { state: "ready" } | { state: "error"; error: unknown };

export function Workspace({ queryId, runId }: { queryId?: string; runId?: string }) {
  const { t, dateTime } = useT();
  const { client, user } = useSession();
  const { schema, reload: reloadSchema } = useSchema();
  const id = useId();
  const editor = useRef<EditorHandle>(null);
  const [sql, setSql] = useState(() => (queryId || runId ? "" : readDraft()));
  const [values, setValues] = useState<Record<string, string>>({});
  const [chart, setChart] = useState<Chart | undefined>(undefined);
  const [saved, setSaved] = useState<SavedQueryDetail | null>(null);
  const [origin, setOrigin] = useState<SavedQuery | null>(null);
  const [boot, setBoot] = useState<Boot>(queryId || runId ? { state: "loading" } : { state: "ready" });
  const [dialog, setDialog] = useState<null | "save" | "details" | "versions">(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [schemaOpen, setSchemaOpen] = useState(false);

  const [history, reloadHistory] = useAsync(
    (signal) => (queryId ? client.data.queryRuns(queryId, signal) : client.data.myRuns(signal)),
    [client, queryId],
  );
  const runner = useRunner(
    useCallback(() => {
      reloadHistory();
    }, [reloadHistory]),
  );
  const run = runner.detail?.run;
  const active = !!run && !isFinished(run);

  const names = useMemo(() => parseParams(sql), [sql]);
  const title = saved ? saved.query.title : run ? t("ws.runTitle") : t("ws.newTitle");
  useDocumentTitle(title, t("app.title"));

  const setText = useCallback((text: string) => {
    setSql(text);
    editor.current?.setDoc(text);
  }, []);

  // A saved query: its text, chart and latest result.
  useEffect(() => {
    if (!queryId) return;
    const ac = new AbortController();
    setBoot({ state: "loading" });
    client.data.query(queryId, ac.signal).then(
      (d) => {
        if (ac.signal.aborted) return;
        const carry = takeCarry(queryId);
        setSaved(d);
        setText(carry?.sql ?? d.query.sql);
        setChart(carry && carry.chart !== undefined ? (carry.chart ?? undefined) : d.query.chart);
        if (carry?.runId && !d.latestRun) {
          setValues(carry.params ?? {});
          runner.show(carry.runId);
        } else if (d.latestRun) {
          setValues(d.latestRun.params ?? {});
          runner.show(d.latestRun);
        }
        setBoot({ state: "ready" });
      },
      (error) => !ac.signal.aborted && setBoot({ state: "error", error }),
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, queryId]);

  // A run's page: its SQL, parameters and result (unless it is the run just started here).
  useEffect(() => {
    if (queryId) return;
    if (!runId) {
      runner.clear();
      setOrigin(null);
      return;
    }
    if (runner.currentId() === runId) return;
    const ac = new AbortController();
    setBoot((b) => (b.state === "ready" && runner.detail ? b : { state: "loading" }));
    client.data.run(runId, ac.signal).then(
      (d) => {
        if (ac.signal.aborted) return;
        setText(d.run.sql);
        setValues(d.run.params ?? {});
        runner.show(d.run);
        setBoot({ state: "ready" });
        setOrigin(null);
        if (d.run.queryId)
          client.data.query(d.run.queryId, ac.signal).then(
            (q) => !ac.signal.aborted && setOrigin(q.query),
            () => {},
          );
      },
      (error) => !ac.signal.aborted && setBoot({ state: "error", error }),
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, queryId, runId]);

  // When Cancel disappears with the run it stopped, keep the keyboard on Run.
  const runButton = useRef<HTMLButtonElement>(null);
  const wasActive = useRef(false);
  useEffect(() => {
    if (wasActive.current && !active && (document.activeElement === document.body || document.activeElement === null))
      runButton.current?.focus({ preventScroll: true });
    wasActive.current = active;
  }, [active]);

  const dirty = !!saved && (sql !== saved.query.sql || !sameChart(chart, saved.query.chart));

  // Unsaved changes to a saved query: ask before the tab closes.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  function onChange(text: string) {
    setSql(text);
    if (!queryId) writeDraft(text);
  }

  const runNow = useCallback(async () => {
    if (runner.starting || active) return;
    setNotice(null);
    if (!sql.trim()) {
      setNotice(t("run.empty"));
      return;
    }
    const params = names.length ? paramsFor(names, values) : undefined;
    // Runs of the saved text (or any run by its owner) count as the query's.
    const attach = saved && (saved.canEdit || sql === saved.query.sql) ? saved.query.id : undefined;
    const d = await runner.start({ sql, params, queryId: attach });
    if (d && !queryId) replaceUrl(`/runs/${d.run.id}`);
    if (d) reloadHistory();
  }, [runner, active, sql, names, values, saved, queryId, reloadHistory, t]);

  async function act(f: () => Promise<void>) {
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      await f();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  }

  async function createQuery(d: Details) {
    // The result on screen becomes the saved query's first result.
    const shown = run && run.status === "succeeded" && run.sql.trim() === sql.trim() ? { runId: run.id } : {};
    const res = await client.data.createQuery({ ...d, sql, ...(chart ? { chart } : {}), ...shown });
    putCarry({ queryId: res.query.id, runId: run?.id, params: values });
    setDialog(null);
    navigate(`/q/${res.query.id}`);
  }

  async function saveChanges() {
    if (!saved) return;
    await act(async () => {
      const q = saved.query;
      const res = await client.data.updateQuery(q.id, {
        title: q.title,
        description: q.description,
        visibility: q.visibility,
        sql,
        ...(chart ? { chart } : {}),
        baseVersion: q.version,
      });
      setSaved({ ...saved, query: res.query });
      setNotice(res.query.version !== q.version ? t("save.savedVersion", { n: res.query.version }) : t("save.saved"));
    });
  }

  async function saveDetails(d: Details) {
    if (!saved) return;
    const q = saved.query;
    const res = await client.data.updateQuery(q.id, {
      ...d,
      sql: q.sql,
      ...(q.chart ? { chart: q.chart } : {}),
      baseVersion: q.version,
    });
    setSaved({ ...saved, query: res.query });
    setDialog(null);
    setNotice(t("save.saved"));
  }

  async function remove() {
    if (!saved) return;
    await client.data.deleteQuery(saved.query.id);
    setDialog(null);
    navigate("/queries");
  }

  async function fork() {
    if (!saved) return;
    await act(async () => {
      const res = await client.data.fork(saved.query.id);
      putCarry({
        queryId: res.query.id,
        ...(dirty ? { sql, chart: chart ?? null } : {}),
        runId: run?.id,
        params: values,
      });
      navigate(`/q/${res.query.id}`);
    });
  }

  function restore(v: QueryVersion) {
    setText(v.sql);
    setDialog(null);
    setNotice(t("versions.restored", { n: v.version }));
    editor.current?.focus();
  }

  async function copyLink() {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setNotice(t("ws.linkCopied"));
    } catch {
      setNotice(window.location.href);
    }
  }

  if (boot.state === "loading") return <div className="data-container"><Loading /></div>;
  if (boot.state === "error") {
    const gone = boot.error instanceof ApiError && boot.error.status === 404;
    return (
      <div className="data-container">
        <h1>{queryId ? t("ws.queryMissing") : t("ws.runMissing")}</h1>
        {gone ? <p>{queryId ? t("ws.queryMissingHelp") : t("ws.runMissingHelp")}</p> : <ErrorMessage error={boot.error} />}
        <p>
          <Link to="/">{t("ws.startNew")}</Link> · <Link to="/queries">{t("nav.queries")}</Link>
        </p>
      </div>
    );
  }

  const q = saved?.query;
  const canEdit = !!saved?.canEdit;
  const succeeded = run?.status === "succeeded";
  const shortcut = isMac ? "⌘ Enter" : "Ctrl Enter";
  // The result shown was run with other SQL than the query's (a version
  // saved since) or than the editor's (edits not run yet).
  const stale =
    !succeeded || !run
      ? null
      : q && run.queryId === q.id && run.version !== undefined && run.version < q.version && run.sql.trim() !== q.sql.trim()
        ? t("result.staleVersion", { n: run.version, current: q.version })
        : run.sql.trim() !== sql.trim()
          ? t("result.staleSql")
          : null;

  return (
    <div className="data-container ws">
      <div className="ws-head">
        <div className="ws-title">
          <h1 data-testid="ws-title">{title}</h1>
          {q && (
            <p className="ws-meta">
              <span className={q.visibility === "organization" ? "badge badge-primary" : "badge"}>{t(`visibility.${q.visibility}`)}</span>
              <span className="muted small">{t("ws.version", { n: q.version, date: dateTime(q.updatedAt) })}</span>
              {q.forkedFrom && (
                <span className="small">
                  <Link to={`/q/${q.forkedFrom}`}>{t("ws.forkedFrom")}</Link>
                </span>
              )}
              {dirty && (
                <span className="badge badge-warning" data-testid="unsaved">
                  {t("ws.unsaved")}
                </span>
              )}
              {!canEdit && <span className="muted small">{t("ws.readOnly")}</span>}
            </p>
          )}
          {q?.description && <p className="ws-desc">{q.description}</p>}
          {!q && origin && (
            <p className="ws-meta small">
              {t("ws.runOf")} <Link to={`/q/${origin.id}`}>{origin.title}</Link>
            </p>
          )}
        </div>
        <div className="ws-actions">
          {!q && (
            <button type="button" className="btn btn-primary" onClick={() => setDialog("save")} disabled={!sql.trim()} data-testid="save-query">
              {t("ws.save")}
            </button>
          )}
          {q && canEdit && (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => dirty && !busy && saveChanges()}
              aria-disabled={!dirty || busy || undefined}
              data-testid="save-query"
            >
              {t("ws.save")}
            </button>
          )}
          {q && canEdit && (
            <button type="button" className="btn btn-secondary" onClick={() => setDialog("details")}>
              {t("ws.details")}
            </button>
          )}
          {q && (
            <button type="button" className="btn btn-secondary" onClick={() => setDialog("versions")} data-testid="versions">
              {t("ws.versions")}
            </button>
          )}
          {q && (
            <button type="button" className="btn btn-secondary" onClick={fork} disabled={busy} data-testid="fork">
              {t("ws.fork")}
            </button>
          )}
          {(q || run) && (
            <button type="button" className="btn btn-ghost" onClick={copyLink}>
              {t("ws.copyLink")}
            </button>
          )}
        </div>
      </div>
      <div aria-live="polite" className="ws-notice">
        {notice && (
          <p className="alert alert-success" data-testid="notice">
            {notice}
          </p>
        )}
      </div>
      {actionError != null && <ErrorMessage error={actionError} />}

      <div className="ws-grid">
        <aside className={schemaOpen ? "ws-side open" : "ws-side"} aria-label={t("schema.title")}>
          <button type="button" className="btn btn-secondary btn-small schema-open" aria-expanded={schemaOpen} onClick={() => setSchemaOpen((o) => !o)}>
            {schemaOpen ? t("schema.hide") : t("schema.show")}
          </button>
          <div className="schema-body">
            <SchemaBrowser schema={schema} onInsert={(name) => editor.current?.insert(name)} onRetry={reloadSchema} />
          </div>
        </aside>

        <section className="ws-editor" aria-labelledby={`${id}-sql`}>
          <div className="editor-label">
            <h2 id={`${id}-sql`} className="panel-title">
              {t("editor.title")}
            </h2>
            <span id={`${id}-hint`} className="hint">
              {t("editor.hint", { keys: shortcut })}
            </span>
          </div>
          <div className="editor-frame" data-testid="sql-editor">
            <Suspense fallback={<div className="editor-loading" aria-busy="true" />}>
              <SqlEditor
              ref={editor}
              initial={sql}
              onChange={onChange}
              onRun={runNow}
              schema={schema.state === "ready" ? schema.data : undefined}
              label={t("editor.label")}
              describedBy={`${id}-hint`}
              placeholder={t("editor.placeholder")}
              />
            </Suspense>
          </div>

          {names.length > 0 && (
            <fieldset className="params">
              <legend className="label">{t("params.title")}</legend>
              <div className="params-grid">
                {names.map((n) => (
                  <div className="field" key={n}>
                    <label htmlFor={`${id}-p-${n}`}>{n}</label>
                    <input
                      id={`${id}-p-${n}`}
                      className="input input-small"
                      value={values[n] ?? ""}
                      onChange={(e) => setValues((v) => ({ ...v, [n]: e.target.value }))}
                      onKeyDown={(e) => {
                        if (e.key === "Enter") {
                          e.preventDefault();
                          runNow();
                        }
                      }}
                      data-testid={`param-${n}`}
                    />
                  </div>
                ))}
              </div>
              <p className="hint">{t("params.hint")}</p>
            </fieldset>
          )}

          <div className="run-bar">
            {/* aria-disabled, not disabled: the button keeps the keyboard's focus while the query runs. */}
            <button
              type="button"
              ref={runButton}
              className="btn btn-primary"
              onClick={runNow}
              aria-disabled={runner.starting || active || undefined}
              data-testid="run"
            >
              <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">
                <path d="M3 1.5v11l9-5.5z" fill="currentColor" />
              </svg>
              {runner.starting ? t("run.starting") : t("run.run")}
              <kbd className="kbd" aria-hidden="true">
                {shortcut}
              </kbd>
            </button>
            {active && (
              <button type="button" className="btn btn-secondary" onClick={runner.cancel} disabled={runner.canceling} data-testid="cancel">
                {runner.canceling ? t("run.canceling") : t("run.cancel")}
              </button>
            )}
            {runner.detail && <RunState detail={runner.detail} />}
            {runner.reconnecting && <span className="muted small">{t("run.reconnecting")}</span>}
          </div>
          {runner.error != null && <StartError error={runner.error} />}
          {run && <RunFailure run={run} />}
        </section>
      </div>

      {succeeded && run && (
        <section className="ws-result" aria-labelledby={`${id}-res`}>
          <div className="result-head">
            <h2 id={`${id}-res`}>{t("result.title")}</h2>
            <span className="muted small">
              {t("result.ranAt", { date: dateTime(run.finishedAt ?? run.createdAt) })}
              {run.userId !== user?.id && ` · ${t("result.byOther")}`}
            </span>
            <a className="btn btn-secondary btn-small" href={client.data.csvUrl(run.id)} download data-testid="csv">
              <svg width="16" height="16" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
                <path d="M10 3v10m-4-4l4 4 4-4M4 16h12" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
              {t("result.csv")}
            </a>
          </div>
          {stale && (
            <div className="alert alert-warning stale-result" role="note" data-testid="stale-result">
              <p>{stale}</p>
              <button type="button" className="btn btn-secondary btn-small" onClick={runNow} aria-disabled={runner.starting || active || undefined}>
                {t("result.runNow")}
              </button>
            </div>
          )}
          {run.truncated && (
            <div className="alert alert-warning" role="note" data-testid="truncated">
              <p>{t("result.truncated", { count: run.rows })}</p>
            </div>
          )}
          <div className="card chart-card">
            <h3 className="panel-title">{t("chart.title")}</h3>
            <ChartPanel runId={run.id} total={run.rows} chart={chart} onChange={setChart} />
            {q && !canEdit && chart && !sameChart(chart, q.chart) && <p className="hint">{t("chart.notSaved")}</p>}
          </div>
          <ResultGrid key={run.id} runId={run.id} total={run.rows} />
        </section>
      )}

      <section className="ws-history" aria-labelledby={`${id}-hist`}>
        <h2 id={`${id}-hist`}>{queryId ? t("history.queryTitle") : t("history.myTitle")}</h2>
        <RunHistory runs={history} onRetry={reloadHistory} currentId={run?.id} showSql={!queryId} />
      </section>

      {dialog === "save" && <SaveDialog onSave={createQuery} onClose={() => setDialog(null)} />}
      {dialog === "details" && q && <SaveDialog query={q} onSave={saveDetails} onDelete={remove} onClose={() => setDialog(null)} />}
      {dialog === "versions" && q && <VersionsDialog queryId={q.id} current={q.version} onRestore={restore} onClose={() => setDialog(null)} />}
    </div>
  );
}
