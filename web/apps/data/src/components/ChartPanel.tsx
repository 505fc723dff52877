// The chart of a run's result: its settings (type, x, y columns, series)
// and the chart, drawn from the first 5,000 rows of the result.
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { ErrorMessage, Loading, useSession, type Chart, type ChartType, type RunRows } from "@lyceum/ui";
import { useT } from "../i18n";
import { CHART_TYPES, MAX_SERIES, shapeChart, suggestChart, toNumber } from "../lib/chart";
import { isNumericType } from "../lib/format";
import { ChartView } from "./Chart";

export const CHART_ROWS = 5000;
/** Rows per request for the chart (servers may cap a page below CHART_ROWS). */
export const CHART_PAGE = 1000;

const typeIcons: Record<ChartType, string> = {
  bar: "M3 17V9h3v8zm5 0V4h3v13zm5 0v-6h3v6z",
  line: "M3 15l4-5 4 3 6-8",
  area: "M3 17v-3l4-5 4 3 6-7v12z",
  scatter: "M5 14h.01M8 9h.01M12 12h.01M15 6h.01M10 5h.01",
  pie: "M10 3a7 7 0 1 0 7 7h-7z M12 2v6h6a6 6 0 0 0-6-6z",
};

interface Props {
  runId: string;
  total: number;
  chart: Chart | undefined;
  onChange(chart: Chart | undefined): void;
}

export function ChartPanel({ runId, total, chart, onChange }: Props) {
  const { t } = useT();
  const { client } = useSession();
  const id = useId();
  const [data, setData] = useState<RunRows | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  const controls = useRef<HTMLDivElement>(null);
  const focusControls = useRef(false);

  // "Add a chart" goes away when pressed: keep the keyboard's place on the chart type.
  useEffect(() => {
    if (chart && focusControls.current) {
      focusControls.current = false;
      controls.current?.querySelector<HTMLInputElement>("input:checked")?.focus();
    }
  }, [chart]);

  useEffect(() => {
    const ac = new AbortController();
    setData(null);
    setError(null);
    // The first up to 5,000 rows, a few pages at once.
    const want = Math.min(CHART_ROWS, Math.max(1, total));
    const pages = Array.from({ length: Math.ceil(want / CHART_PAGE) }, (_, i) =>
      client.data.rows(runId, { offset: i * CHART_PAGE, limit: Math.min(CHART_PAGE, want - i * CHART_PAGE) }, ac.signal),
    );
    Promise.all(pages).then(
      (ps) => !ac.signal.aborted && setData({ columns: ps[0]!.columns, rows: ps.flatMap((p) => p.rows), total: ps[0]!.total }),
      (err) => !ac.signal.aborted && setError(err),
    );
    return () => ac.abort();
  }, [client, runId, total, n]);

  const columns = data?.columns ?? [];
  const names = columns.map((c) => c.name);
  // Columns that can be measured: number types, or every value a number.
  const measures = useMemo(() => {
    if (!data) return [];
    return data.columns
      .filter((c, i) => {
        if (isNumericType(c.type)) return true;
        const vs = data.rows.slice(0, 200).map((r) => r[i]).filter((v) => v !== null && v !== undefined);
        return vs.length > 0 && vs.every((v) => toNumber(v) !== null && typeof v !== "boolean");
      })
      .map((c) => c.name);
  }, [data]);

  const config = chart;
  const missing = config && data ? [config.x, ...config.y, ...(config.series ? [config.series] : [])].filter((c) => !names.includes(c)) : [];
  const shaped = useMemo(
    () => (config && data && missing.length === 0 ? shapeChart(data.columns, data.rows, config, t("chart.other")) : null),
    [config, data, missing.length, t],
  );

  if (error) return <ErrorMessage error={error} onRetry={() => setN((x) => x + 1)} />;
  if (!data) return <Loading label={t("chart.loading")} />;

  if (!config) {
    const s = suggestChart(data.columns, data.rows);
    return (
      <div className="chart-start">
        <p className="muted">{s ? t("chart.none") : t("chart.noNumbers")}</p>
        <button type="button" className="btn btn-secondary" onClick={() => {
            focusControls.current = true;
            onChange(s ?? { type: "bar", x: names[0] ?? "", y: names.slice(1, 2) });
          }} disabled={columns.length < 2}>
          {t("chart.add")}
        </button>
      </div>
    );
  }

  const set = (patch: Partial<Chart>) => {
    const next = { ...config, ...patch };
    if (!next.series) delete next.series;
    onChange(next);
  };
  const yChoices = [...new Set([...measures.filter((m) => m !== config.x), ...config.y.filter((y) => names.includes(y))])];

  return (
    <div className="chart-panel">
      <div className="chart-controls" ref={controls}>
        <fieldset className="seg">
          <legend className="label">{t("chart.typeLabel")}</legend>
          <div className="seg-buttons">
            {CHART_TYPES.map((ty) => (
              // On a phone only the chosen type keeps its word beside its icon (data.css); the
              // others' words stay for screen readers, and the title for a pointer.
              <label key={ty} className={ty === config.type ? "seg-on" : undefined} title={t(`chart.type.${ty}`)}>
                <input type="radio" name={`${id}-type`} value={ty} checked={ty === config.type} onChange={() => set({ type: ty })} />
                <svg width="18" height="18" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
                  <path d={typeIcons[ty]} fill={ty === "bar" || ty === "pie" ? "currentColor" : "none"} stroke="currentColor" strokeWidth={ty === "scatter" ? 3.5 : 1.6} strokeLinecap="round" strokeLinejoin="round" />
                </svg>
                <span className="seg-text">{t(`chart.type.${ty}`)}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field field-inline">
          <label htmlFor={`${id}-x`}>{config.type === "pie" ? t("chart.labels") : t("chart.x")}</label>
          <select id={`${id}-x`} className="input input-small" value={config.x} onChange={(e) => {
              const x = e.target.value;
              const y = config.y.filter((c) => c !== x);
              // Keep something to draw when the only value column became x.
              const other = measures.find((m) => m !== x);
              set({ x, y: y.length ? y : other ? [other] : [], ...(config.series === x ? { series: undefined } : {}) });
            }}>
            {!names.includes(config.x) && <option value={config.x}>{config.x}</option>}
            {names.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="field field-inline ys">
          <legend className="label">{config.type === "pie" ? t("chart.value") : t("chart.y")}</legend>
          {yChoices.length === 0 && <span className="muted small">{t("chart.noNumbers")}</span>}
          <div className="checks">
            {yChoices.map((c) => (
              <label key={c} className="check">
                <input
                  type={config.type === "pie" ? "radio" : "checkbox"}
                  name={`${id}-y`}
                  checked={config.type === "pie" ? config.y[0] === c : config.y.includes(c)}
                  onChange={(e) =>
                    set({
                      y:
                        config.type === "pie"
                          ? [c]
                          : e.target.checked
                            ? names.filter((x) => x === c || config.y.includes(x))
                            : config.y.filter((y) => y !== c),
                    })
                  }
                />
                {c}
              </label>
            ))}
          </div>
        </fieldset>
        {config.type !== "pie" && (
          <div className="field field-inline">
            <label htmlFor={`${id}-s`}>{t("chart.series")}</label>
            <select id={`${id}-s`} className="input input-small" value={config.series ?? ""} onChange={(e) => set({ series: e.target.value || undefined })}>
              <option value="">{t("chart.noSeries")}</option>
              {names
                .filter((c) => c !== config.x && !config.y.includes(c))
                .map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
            </select>
          </div>
        )}
        <button type="button" className="btn btn-ghost btn-small chart-remove" onClick={() => onChange(undefined)}>
          {t("chart.remove")}
        </button>
      </div>

      {missing.length > 0 && (
        <div className="alert alert-warning" role="status">
          <p>{t("chart.missing", { columns: missing.join(", ") })}</p>
        </div>
      )}
      {config.y.length === 0 && missing.length === 0 && <p className="muted">{t("chart.pickY")}</p>}
      {shaped && config.y.length > 0 && (
        <>
          <ChartView shaped={shaped} type={config.type} xLabel={config.x} yLabel={config.type === "pie" ? (config.y[0] ?? "") : config.y.join(", ")} />
          <ul className="chart-notes muted small">
            {total > data.rows.length && <li>{t("chart.firstRows", { shown: data.rows.length, total })}</li>}
            {shaped.skipped > 0 && <li>{t("chart.skipped", { count: shaped.skipped })}</li>}
            {shaped.moreSeries > 0 && <li>{t("chart.moreSeries", { count: shaped.moreSeries, max: MAX_SERIES })}</li>}
            {shaped.kind === "time" && shaped.utc && <li>{t("chart.utc")}</li>}
          </ul>
        </>
      )}
    </div>
  );
}
