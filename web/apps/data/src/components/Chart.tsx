// A small SVG chart: bar (grouped), line, area, scatter and pie, with axes,
// a legend, tooltips by pointer and keyboard, and the data as a table for
// those who can't see the picture.
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import type { ChartType, Locale } from "@lyceum/ui";
import { useT } from "../i18n";
import {
  allIntegers,
  categoryAxis,
  clampCenter,
  estimateTextWidth,
  fitText,
  LABEL_ANGLE,
  LABEL_DY,
  LEVEL_BOTTOM,
  niceTicks,
  timeFormat,
  timeTicks,
  type Measure,
  type Shaped,
  type TimeUnit,
} from "../lib/chart";
import { axisNumber, shortNumber } from "../lib/format";

/** Series colours: each at least 3:1 against white (WCAG non-text contrast), told apart by hue. */
export const PALETTE = ["#4338ca", "#c2410c", "#0f766e", "#be185d", "#0369a1", "#a16207", "#6d28d9", "#15803d", "#b91c1c", "#475569"];

interface Props {
  shaped: Shaped;
  type: ChartType;
  xLabel: string;
  yLabel: string;
}

const HEIGHT = 320;

function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  const [font, setFont] = useState("");
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth || 640);
    setFont(getComputedStyle(el).fontFamily);
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w) setWidth(Math.round(w));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width, font] as const;
}

let canvas: CanvasRenderingContext2D | null | undefined;

/**
 * Measures text as the chart draws it (size px, weight, the page's font
 * family) on a canvas, remembering widths; the estimate where there is no
 * canvas or no font yet.
 */
function measurer(family: string, size: number, weight = 400): Measure {
  if (canvas === undefined) {
    try {
      canvas = typeof document === "undefined" ? null : document.createElement("canvas").getContext("2d");
    } catch {
      canvas = null;
    }
  }
  const ctx = canvas;
  if (!ctx || !family) return (s) => estimateTextWidth(s, size);
  const font = `${weight} ${size}px ${family}`;
  const seen = new Map<string, number>();
  return (s) => {
    let w = seen.get(s);
    if (w === undefined) {
      ctx.font = font;
      w = ctx.measureText(s).width;
      seen.set(s, w);
    }
    return w;
  };
}

export function ChartView({ shaped, type, xLabel, yLabel }: Props) {
  const { t, locale } = useT();
  const id = useId();
  const [box, width, font] = useWidth();
  const [active, setActive] = useState<number | null>(null);
  const [pointer, setPointer] = useState(false);

  const fmtY = (v: number) => shortNumber(v, locale);
  const isPie = type === "pie";

  // Distinct x positions, sorted: what the pointer and arrow keys move between.
  const xs = useMemo(() => {
    if (shaped.kind === "category") return shaped.categories.map((_, i) => i);
    const set = new Set<number>();
    for (const s of shaped.series) for (const p of s.points) set.add(p.x);
    return [...set].sort((a, b) => a - b);
  }, [shaped]);

  const allMidnight = useMemo(
    () => shaped.kind === "time" && xs.every((x) => (shaped.utc ? x % 86_400_000 === 0 : new Date(x).getHours() === 0 && new Date(x).getMinutes() === 0)),
    [shaped, xs],
  );
  const fmtX = (x: number, unit?: TimeUnit): string => {
    if (shaped.kind === "category") return shaped.categories[x] ?? "";
    if (shaped.kind === "number") return shortNumber(x, locale);
    const opts = unit ? timeFormat(unit, shaped.utc) : allMidnight ? { dateStyle: "medium" as const, ...(shaped.utc ? { timeZone: "UTC" } : {}) } : { dateStyle: "medium" as const, timeStyle: "short" as const, ...(shaped.utc ? { timeZone: "UTC" } : {}) };
    return new Intl.DateTimeFormat(locale, opts).format(new Date(x));
  };

  const count = isPie ? shaped.slices.length : shaped.series.reduce((n, s) => n + s.points.length, 0);
  const summary = t("chart.summary", {
    type: t(`chart.type.${type}`),
    y: yLabel,
    x: xLabel,
    count,
  });

  if (count === 0)
    return (
      <p className="chart-empty muted" role="note">
        {t("chart.nothing")}
      </p>
    );

  const legend = isPie
    ? shaped.slices.map((s, i) => ({ name: s.label, color: PALETTE[i % PALETTE.length]!, extra: pct(s.value) }))
    : shaped.series.map((s, i) => ({ name: s.name, color: PALETTE[i % PALETTE.length]!, extra: "" }));

  function pct(v: number) {
    const total = shaped.slices.reduce((n, s) => n + s.value, 0);
    return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(total ? v / total : 0);
  }

  function keyDown(e: KeyboardEvent) {
    const n = isPie ? shaped.slices.length : xs.length;
    if (n === 0) return;
    let next: number | null = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") next = active === null ? 0 : Math.min(n - 1, active + 1);
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = active === null ? 0 : Math.max(0, active - 1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = n - 1;
    else if (e.key === "Escape") next = null;
    else return;
    e.preventDefault();
    setPointer(false);
    setActive(next);
  }

  // What the active point says, for the tooltip and for screen readers.
  let tip: { title: string; rows: { name: string; value: string; color: string }[] } | null = null;
  if (active !== null) {
    if (isPie) {
      const s = shaped.slices[active];
      if (s) tip = { title: s.label, rows: [{ name: yLabel, value: `${fmtY(s.value)} (${pct(s.value)})`, color: PALETTE[active % PALETTE.length]! }] };
    } else {
      const x = xs[active];
      if (x !== undefined) {
        const rows = shaped.series.flatMap((s, i) =>
          s.points.filter((p) => p.x === x).slice(0, 3).map((p) => ({ name: s.name, value: fmtY(p.y), color: PALETTE[i % PALETTE.length]! })),
        );
        tip = { title: `${xLabel}: ${fmtX(x)}`, rows: rows.slice(0, 12) };
      }
    }
  }
  const spoken = tip ? `${tip.title}. ${tip.rows.map((r) => `${r.name}: ${r.value}`).join("; ")}` : "";

  return (
    <figure className="chart" aria-labelledby={`${id}-sum`}>
      <figcaption id={`${id}-sum`} className="visually-hidden">
        {summary}
      </figcaption>
      <ul className="legend" aria-label={t("chart.legend")}>
        {legend.map((l, i) => (
          <li key={i}>
            <span className="swatch" style={{ background: l.color }} aria-hidden="true" />
            {l.name}
            {l.extra && <span className="muted"> {l.extra}</span>}
          </li>
        ))}
      </ul>
      {/* A widget: the points are read with the arrow keys once the chart has the focus. */}
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions */}
      <div
        className="chart-box"
        ref={box}
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
        role="group"
        aria-label={summary}
        aria-describedby={`${id}-help`}
        onKeyDown={keyDown}
        onBlur={() => !pointer && setActive(null)}
        onPointerLeave={() => pointer && setActive(null)}
      >
        <span id={`${id}-help`} className="visually-hidden">
          {t("chart.keys")}
        </span>
        {isPie ? (
          <Pie shaped={shaped} width={width} active={active} onHover={(i) => { setPointer(true); setActive(i); }} />
        ) : (
          <Cartesian
            shaped={shaped}
            type={type}
            width={width}
            xs={xs}
            active={active}
            fmtX={fmtX}
            font={font}
            locale={locale}
            xLabel={xLabel}
            yLabel={yLabel}
            onHover={(i) => {
              setPointer(true);
              setActive(i);
            }}
          />
        )}
        {tip && (
          <div className="chart-tip" aria-hidden="true" style={tipStyle(active!, isPie ? shaped.slices.length : xs.length)}>
            <div className="chart-tip-title">{tip.title}</div>
            {tip.rows.map((r, i) => (
              <div key={i} className="chart-tip-row">
                <span className="swatch" style={{ background: r.color }} />
                <span className="chart-tip-name">{r.name}</span>
                <span className="chart-tip-value">{r.value}</span>
              </div>
            ))}
          </div>
        )}
      </div>
      <div className="visually-hidden" aria-live="polite">
        {pointer ? "" : spoken}
      </div>
      <DataTable shaped={shaped} isPie={isPie} xs={xs} fmtX={fmtX} fmtY={fmtY} xLabel={xLabel} yLabel={yLabel} pct={pct} />
    </figure>
  );
}

/** The tooltip sits on the side of the chart away from the active point. */
function tipStyle(i: number, n: number) {
  return i < n / 2 ? { right: 8, top: 8 } : { left: 64, top: 8 };
}

interface CartesianProps {
  shaped: Shaped;
  type: ChartType;
  width: number;
  xs: number[];
  active: number | null;
  fmtX(x: number, unit?: TimeUnit): string;
  /** The page's font family, to measure labels with. */
  font: string;
  locale: Locale;
  xLabel: string;
  yLabel: string;
  onHover(i: number | null): void;
}

function Cartesian({ shaped, type, width, xs, active, fmtX, font, locale, xLabel, yLabel, onHover }: CartesianProps) {
  const measureTick = useMemo(() => measurer(font, 12), [font]);
  const measureTitle = useMemo(() => measurer(font, 12, 600), [font]);
  const W = Math.max(280, width);
  const H = W < 520 ? 260 : HEIGHT;
  const cat = shaped.kind === "category";

  let lo = Infinity;
  let hi = -Infinity;
  for (const s of shaped.series)
    for (const p of s.points) {
      lo = Math.min(lo, p.y);
      hi = Math.max(hi, p.y);
    }
  if (type === "bar" || type === "area") {
    lo = Math.min(0, lo);
    hi = Math.max(0, hi);
  }
  // Counts get whole-number ticks; labels have as many decimals as the step.
  const yt = niceTicks(lo, hi, H < 300 ? 4 : 6, allIntegers(shaped.series.flatMap((s) => s.points.map((p) => p.y))));
  const yTickText = yt.ticks.map((v) => axisNumber(v, yt.step, locale));
  let left = Math.min(90, 18 + 7 * Math.max(...yTickText.map((s) => s.length))) + 14;
  const right = 16;
  const top = 12;

  // x ticks and how much room their labels need: rotated category labels
  // reach left of their tick and down, so the margins are made to hold them.
  const n = shaped.categories.length;
  let xTicks: { x: number; label: string; full: string }[] = [];
  let rotate = false;
  let bottom = LEVEL_BOTTOM;
  if (cat) {
    const axis = categoryAxis({ labels: shaped.categories, width: W, height: H, left, right, measure: measureTick });
    left = axis.left;
    bottom = axis.bottom;
    rotate = axis.rotate;
    xTicks = axis.ticks.map((tk) => ({ x: tk.index, label: tk.label, full: tk.full }));
  }
  const plotW = W - left - right;
  const plotH = H - top - bottom;

  let x0 = 0;
  let x1 = 1;
  let xFmtUnit: TimeUnit | undefined;
  if (!cat) {
    const ext = xs.length ? [xs[0]!, xs[xs.length - 1]!] : [0, 1];
    if (shaped.kind === "time") {
      x0 = ext[0]!;
      x1 = ext[1]! === ext[0]! ? ext[0]! + 86_400_000 : ext[1]!;
      const tt = timeTicks(x0, x1, Math.max(2, Math.floor(plotW / 110)), shaped.utc);
      xFmtUnit = tt.unit;
      xTicks = tt.ticks.map((x) => ({ x, label: fmtX(x, tt.unit), full: "" }));
    } else {
      const nt = niceTicks(ext[0]!, ext[1]!, Math.max(2, Math.floor(plotW / 90)), allIntegers(xs));
      x0 = nt.min;
      x1 = nt.max;
      xTicks = nt.ticks.map((x) => ({ x, label: axisNumber(x, nt.step, locale), full: "" }));
    }
  }
  void xFmtUnit;

  const band = cat ? plotW / Math.max(1, n) : 0;
  const sx = (x: number) => (cat ? left + (x + 0.5) * band : left + ((x - x0) / (x1 - x0 || 1)) * plotW);
  const sy = (y: number) => top + plotH - ((y - yt.min) / (yt.max - yt.min || 1)) * plotH;
  const base = sy(Math.max(yt.min, Math.min(yt.max, 0)));

  function move(e: PointerEvent<SVGSVGElement>) {
    const rect = e.currentTarget.getBoundingClientRect();
    const px = ((e.clientX - rect.left) / rect.width) * W;
    const py = ((e.clientY - rect.top) / rect.height) * H;
    if (px < left - 4 || px > W - right + 4 || xs.length === 0) {
      onHover(null);
      return;
    }
    if (type === "scatter") {
      // The nearest point, then its x.
      let best = Infinity;
      let bx = 0;
      for (const s of shaped.series)
        for (const p of s.points) {
          const d = (sx(p.x) - px) ** 2 + (sy(p.y) - py) ** 2;
          if (d < best) {
            best = d;
            bx = p.x;
          }
        }
      onHover(xs.indexOf(bx));
      return;
    }
    if (cat) {
      onHover(Math.max(0, Math.min(n - 1, Math.floor((px - left) / band))));
      return;
    }
    // Nearest x by binary search.
    const target = x0 + ((px - left) / plotW) * (x1 - x0);
    let a = 0;
    let b = xs.length - 1;
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if (xs[m]! < target) a = m;
      else b = m;
    }
    onHover(Math.abs(xs[a]! - target) <= Math.abs(xs[b]! - target) ? a : b);
  }

  const activeX = active !== null ? xs[active] : undefined;
  const ns = shaped.series.length;
  const showDots = type === "scatter" || shaped.series.every((s) => s.points.length <= 60);

  return (
    <svg
      width="100%"
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      role="presentation"
      onPointerMove={move}
      onPointerDown={move}
      className="chart-svg"
    >
      {/* Grid and y axis */}
      {yt.ticks.map((v, i) => (
        <g key={i}>
          <line x1={left} x2={W - right} y1={sy(v)} y2={sy(v)} className={v === 0 ? "axis" : "gridline"} />
          <text x={left - 8} y={sy(v)} dy="0.32em" textAnchor="end" className="tick">
            {yTickText[i]}
          </text>
        </g>
      ))}
      <line x1={left} x2={left} y1={top} y2={top + plotH} className="axis" />
      <line x1={left} x2={W - right} y1={top + plotH} y2={top + plotH} className="axis" />
      {/* x ticks */}
      {xTicks.map((tk, i) => {
        const x = sx(tk.x);
        if (x < left - 1 || x > W - right + 1) return null;
        return (
          <g key={i}>
            <line x1={x} x2={x} y1={top + plotH} y2={top + plotH + 5} className="axis" />
            {rotate ? (
              <text transform={`translate(${x},${top + plotH + LABEL_DY}) rotate(-${LABEL_ANGLE})`} textAnchor="end" className="tick">
                {tk.full && tk.full !== tk.label && <title>{tk.full}</title>}
                {tk.label}
              </text>
            ) : (
              <text x={clampCenter(x, measureTick(tk.label), 0, W)} y={top + plotH + 20} textAnchor="middle" className="tick">
                {tk.full && tk.full !== tk.label && <title>{tk.full}</title>}
                {tk.label}
              </text>
            )}
          </g>
        );
      })}
      {/* Axis titles */}
      <AxisTitle x={left + plotW / 2} y={H - 6} text={xLabel} room={Math.min(plotW, 60 * 7)} measure={measureTitle} />
      <AxisTitle x={14} y={top + plotH / 2} rotate text={yLabel} room={Math.min(plotH, 40 * 7)} measure={measureTitle} />

      {/* The active x */}
      {activeX !== undefined && type !== "bar" && (
        <line x1={sx(activeX)} x2={sx(activeX)} y1={top} y2={top + plotH} className="cursor" />
      )}
      {activeX !== undefined && type === "bar" && (
        <rect x={sx(activeX) - band / 2} y={top} width={band} height={plotH} className="cursor-band" />
      )}

      {shaped.series.map((s, si) => {
        const color = PALETTE[si % PALETTE.length]!;
        if (type === "bar") {
          const inner = band * 0.8;
          const w = Math.max(1, inner / ns);
          return (
            <g key={si} fill={color}>
              {s.points.map((p, i) => {
                const y = sy(p.y);
                return (
                  <rect
                    key={i}
                    x={sx(p.x) - inner / 2 + si * w}
                    y={Math.min(y, base)}
                    width={Math.max(1, w - (ns > 1 ? 1 : 0))}
                    height={Math.max(1, Math.abs(base - y))}
                  />
                );
              })}
            </g>
          );
        }
        const d = s.points.map((p, i) => `${i ? "L" : "M"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join("");
        return (
          <g key={si}>
            {type === "area" && s.points.length > 0 && (
              <path
                d={`${d}L${sx(s.points[s.points.length - 1]!.x).toFixed(1)},${base}L${sx(s.points[0]!.x).toFixed(1)},${base}Z`}
                fill={color}
                fillOpacity={0.18}
              />
            )}
            {type !== "scatter" && <path d={d} fill="none" stroke={color} strokeWidth={2} strokeLinejoin="round" />}
            {showDots &&
              s.points.map((p, i) => (
                <circle
                  key={i}
                  cx={sx(p.x)}
                  cy={sy(p.y)}
                  r={type === "scatter" ? 4 : p.x === activeX ? 4.5 : 2.5}
                  fill={color}
                  fillOpacity={type === "scatter" ? 0.75 : 1}
                  stroke={p.x === activeX ? "#fff" : "none"}
                  strokeWidth={1.5}
                />
              ))}
            {!showDots &&
              activeX !== undefined &&
              s.points.filter((p) => p.x === activeX).map((p, i) => <circle key={i} cx={sx(p.x)} cy={sy(p.y)} r={4.5} fill={color} stroke="#fff" strokeWidth={1.5} />)}
          </g>
        );
      })}
    </svg>
  );
}

/** An axis title, cut with "…" to its room; the whole title as a tooltip then. */
function AxisTitle({ x, y, text, room, rotate, measure }: { x: number; y: number; text: string; room: number; rotate?: boolean; measure: Measure }) {
  const shown = fitText(text, room, measure);
  return (
    <text
      {...(rotate ? { transform: `translate(${x},${y}) rotate(-90)` } : { x, y })}
      textAnchor="middle"
      className="axis-title"
    >
      {shown !== text && <title>{text}</title>}
      {shown}
    </text>
  );
}

function Pie({ shaped, width, active, onHover }: { shaped: Shaped; width: number; active: number | null; onHover(i: number | null): void }) {
  const W = Math.max(240, width);
  const H = 280;
  const r = Math.min(H / 2 - 12, W / 2 - 12);
  const cx = W / 2;
  const cy = H / 2;
  const total = shaped.slices.reduce((n, s) => n + s.value, 0) || 1;
  let a = -Math.PI / 2;
  return (
    <svg width="100%" height={H} viewBox={`0 0 ${W} ${H}`} role="presentation" className="chart-svg" onPointerLeave={() => onHover(null)}>
      {shaped.slices.map((s, i) => {
        const frac = s.value / total;
        const a0 = a;
        const a1 = a + frac * Math.PI * 2;
        a = a1;
        const grow = i === active ? 6 : 0;
        const mid = (a0 + a1) / 2;
        const ox = Math.cos(mid) * grow;
        const oy = Math.sin(mid) * grow;
        const color = PALETTE[i % PALETTE.length]!;
        if (frac >= 0.9999)
          return <circle key={i} cx={cx} cy={cy} r={r} fill={color} onPointerMove={() => onHover(i)} />;
        const large = a1 - a0 > Math.PI ? 1 : 0;
        const p0 = [cx + ox + r * Math.cos(a0), cy + oy + r * Math.sin(a0)];
        const p1 = [cx + ox + r * Math.cos(a1), cy + oy + r * Math.sin(a1)];
        return (
          <path
            key={i}
            d={`M${cx + ox},${cy + oy}L${p0[0]!.toFixed(2)},${p0[1]!.toFixed(2)}A${r},${r} 0 ${large} 1 ${p1[0]!.toFixed(2)},${p1[1]!.toFixed(2)}Z`}
            fill={color}
            stroke="#fff"
            strokeWidth={1.5}
            onPointerMove={() => onHover(i)}
          />
        );
      })}
    </svg>
  );
}

const TABLE_MAX = 500;

function DataTable(props: {
  shaped: Shaped;
  isPie: boolean;
  xs: number[];
  fmtX(x: number): string;
  fmtY(y: number): string;
  xLabel: string;
  yLabel: string;
  pct(v: number): string;
}) {
  const { t } = useT();
  const { shaped, isPie, xs, fmtX, fmtY, xLabel, yLabel, pct } = props;
  const [open, setOpen] = useState(false);
  // Each series' values by x.
  const byX = useMemo(
    () =>
      shaped.series.map((s) => {
        const m = new Map<number, number[]>();
        for (const p of s.points) {
          const l = m.get(p.x);
          if (l) l.push(p.y);
          else m.set(p.x, [p.y]);
        }
        return m;
      }),
    [shaped],
  );
  return (
    <details className="chart-table" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>{t("chart.asTable")}</summary>
      {open && (
        <div className="grid-scroll chart-table-scroll" tabIndex={0} role="region" aria-label={t("chart.asTable")}>
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">{xLabel}</th>
                {isPie ? (
                  <>
                    <th scope="col" className="num">
                      {yLabel}
                    </th>
                    <th scope="col" className="num">
                      %
                    </th>
                  </>
                ) : (
                  shaped.series.map((s, i) => (
                    <th key={i} scope="col" className="num">
                      {s.name}
                    </th>
                  ))
                )}
              </tr>
            </thead>
            <tbody>
              {isPie
                ? shaped.slices.map((s, i) => (
                    <tr key={i}>
                      <th scope="row">{s.label}</th>
                      <td className="num">{fmtY(s.value)}</td>
                      <td className="num">{pct(s.value)}</td>
                    </tr>
                  ))
                : xs.slice(0, TABLE_MAX).map((x) => (
                    <tr key={x}>
                      <th scope="row">{fmtX(x)}</th>
                      {byX.map((m, i) => {
                        const ys = m.get(x);
                        return (
                          <td key={i} className="num">
                            {ys ? ys.map(fmtY).join(", ") : "–"}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
            </tbody>
          </table>
          {!isPie && xs.length > TABLE_MAX && <p className="muted small">{t("chart.tableCut", { shown: TABLE_MAX, total: xs.length })}</p>}
        </div>
      )}
    </details>
  );
}
