// Chart data shaping: from a result's columns and rows and a chart
// configuration (type, x, y columns, series column) to the series a chart
// draws, and the scales and ticks of its axes. Framework-free and tested.
import type { Chart, ChartType, ResultColumn } from "@lyceum/ui";
import { isNumericType, isTimeType, isZonedType } from "./format";

export type ChartConfig = Chart;
export const CHART_TYPES: ChartType[] = ["bar", "line", "area", "scatter", "pie"];

/** How x is laid out: a number line, a time line, or evenly spaced categories. */
export type XKind = "number" | "time" | "category";

export interface Point {
  /** The x position: the value (number, time in ms) or the category's index. */
  x: number;
  y: number;
}

export interface Series {
  name: string;
  points: Point[];
}

export interface Slice {
  label: string;
  value: number;
}

export interface Shaped {
  kind: XKind;
  /** For category x: the labels, in drawing order. */
  categories: string[];
  series: Series[];
  /** Pie charts: one slice per x value (summed), largest first. */
  slices: Slice[];
  /**
   * Time x drawn and labelled in UTC: the warehouse's plain TIMESTAMP and
   * DATE values are UTC; only a column typed with a time zone is shown in the
   * viewer's zone.
   */
  utc: boolean;
  /** Rows left out because their x or y was missing or not a number. */
  skipped: number;
  /**
   * Series not drawn: only the MAX_SERIES largest by total (of absolute
   * values) are; the rows of the others are not counted in skipped.
   */
  moreSeries: number;
}

export const MAX_SERIES = 10;
export const MAX_SLICES = 10;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A time value (ISO 8601 text or epoch ms) in ms; values without a zone are read as UTC. */
export function parseTime(v: unknown): { ms: number; zoned: boolean } | null {
  if (typeof v !== "string") return null;
  const s = v.trim();
  const m = ISO_TIME.exec(s);
  if (!m) return null;
  let iso = s.replace(" ", "T").replace(/\s+/g, "");
  const zoned = m[1] !== undefined;
  if (!zoned) iso += iso.includes("T") ? "Z" : "T00:00:00Z";
  else iso = iso.replace(/([+-]\d{2})(\d{2})$/, "$1:$2").replace(/([+-]\d{2})$/, "$1:00");
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : { ms, zoned };
}

/** A y value: numbers, and numeric strings (decimals and big integers come as strings). */
export function toNumber(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" && v.trim() !== "" && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim())) return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

function label(v: unknown): string {
  if (v === null || v === undefined) return "NULL";
  if (typeof v === "string") return v;
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Which way x is laid out for a column: numbers by type or value, dates and times by value, else categories. */
export function xKindOf(column: ResultColumn | undefined, values: unknown[]): XKind {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (column && isNumericType(column.type)) return "number";
  if (present.length > 0 && present.every((v) => typeof v === "number")) return "number";
  if (present.length > 0 && present.every((v) => parseTime(v) !== null)) return "time";
  return "category";
}

/**
 * Picks a sensible starting chart for a result: a time or a label on x, the
 * first numbers on y; with a time or number x and a text column of a few
 * values besides it, that column splits the series (one line per country).
 */
export function suggestChart(columns: ResultColumn[], rows: unknown[][]): ChartConfig | null {
  if (columns.length === 0) return null;
  const kinds = columns.map((c, i) => xKindOf(c, rows.map((r) => r[i])));
  const timeAt = kinds.indexOf("time");
  const xi = timeAt >= 0 ? timeAt : kinds.indexOf("category");
  const x = xi >= 0 ? columns[xi]! : columns[0]!;
  const xKind = xi >= 0 ? kinds[xi]! : kinds[0]!;
  // Identifiers are numbers, but not measures: prefer the other number columns.
  const isId = (n: string) => /(^|_)id$/i.test(n);
  const numbers = columns
    .filter((c, i) => kinds[i] === "number" && c.name !== x.name)
    .map((c) => c.name)
    .sort((a, b) => Number(isId(a)) - Number(isId(b)));
  if (numbers.length === 0) return null;
  let series: string | undefined;
  if (xKind !== "category" || timeAt >= 0) {
    const si = kinds.findIndex((k, i) => k === "category" && i !== xi && new Set(rows.map((r) => r[i])).size <= MAX_SERIES);
    if (si >= 0) series = columns[si]!.name;
  }
  return {
    type: xKind === "time" ? "line" : "bar",
    x: x.name,
    y: series ? numbers.slice(0, 1) : numbers.slice(0, 3),
    ...(series ? { series } : {}),
  };
}

/**
 * Shapes rows for a chart. Line, area and scatter charts keep a number or
 * time x on its own axis (sorted); bar charts and text x use categories (in
 * order of appearance, or sorted when they are numbers or times), summing
 * repeated categories within a series. A series column splits each y
 * column by its values. Pie charts sum the first y column by x.
 */
export function shapeChart(columns: ResultColumn[], rows: unknown[][], config: ChartConfig, otherLabel = "Other"): Shaped {
  const index = new Map(columns.map((c, i) => [c.name, i]));
  const xi = index.get(config.x);
  const yis = config.y.map((y) => [y, index.get(y)] as const).filter((p): p is readonly [string, number] => p[1] !== undefined);
  const si = config.series ? index.get(config.series) : undefined;
  const empty: Shaped = { kind: "category", categories: [], series: [], slices: [], utc: true, skipped: 0, moreSeries: 0 };
  if (xi === undefined || yis.length === 0) return { ...empty, skipped: rows.length };

  if (config.type === "pie") {
    const [, yi] = yis[0]!;
    const sums = new Map<string, number>();
    let skipped = 0;
    for (const r of rows) {
      const v = toNumber(r[yi]);
      if (v === null || v <= 0) {
        skipped++;
        continue;
      }
      const l = label(r[xi]);
      sums.set(l, (sums.get(l) ?? 0) + v);
    }
    let slices = [...sums].map(([l, value]) => ({ label: l, value })).sort((a, b) => b.value - a.value);
    if (slices.length > MAX_SLICES) {
      const rest = slices.slice(MAX_SLICES - 1).reduce((n, s) => n + s.value, 0);
      slices = [...slices.slice(0, MAX_SLICES - 1), { label: otherLabel, value: rest }];
    }
    return { ...empty, slices, skipped };
  }

  const xs = rows.map((r) => r[xi]);
  let kind = xKindOf(columns[xi], xs);
  const xType = columns[xi]!.type;
  const typed = isTimeType(xType);
  let utc = !isZonedType(xType);
  const xValue = (v: unknown): number | null => {
    if (kind === "number") return toNumber(v);
    const t = parseTime(v);
    // Text that looks like a zoned time is shown in the viewer's zone.
    if (t?.zoned && !typed) utc = false;
    return t ? t.ms : null;
  };

  // Categories: a bar chart always, and any text x.
  const categorical = config.type === "bar" || kind === "category";
  let categories: string[] = [];
  const catIndex = new Map<string, number>();
  if (categorical) {
    if (kind !== "category") {
      const distinct = new Map<string, number>();
      for (const v of xs) {
        const n = xValue(v);
        if (n !== null && !distinct.has(label(v))) distinct.set(label(v), n);
      }
      categories = [...distinct].sort((a, b) => a[1] - b[1]).map(([l]) => l);
    } else {
      for (const v of xs) {
        if (v === null || v === undefined) continue;
        const l = label(v);
        if (!catIndex.has(l)) {
          catIndex.set(l, categories.length);
          categories.push(l);
        }
      }
    }
    catIndex.clear();
    categories.forEach((c, i) => catIndex.set(c, i));
    kind = "category";
  }

  // Every series first, with its total; then the MAX_SERIES largest are drawn.
  const byName = new Map<string, { values: Map<number, number> | Point[]; total: number; at: number }>();
  let skipped = 0;
  for (const r of rows) {
    const xv = r[xi];
    let x: number | null;
    if (categorical) x = xv === null || xv === undefined ? null : (catIndex.get(label(xv)) ?? null);
    else x = xValue(xv);
    if (x === null) {
      skipped++;
      continue;
    }
    let used = false;
    for (const [yName, yi] of yis) {
      const y = toNumber(r[yi]);
      if (y === null) continue;
      const sv = si !== undefined ? label(r[si]) : undefined;
      const name = sv === undefined ? yName : yis.length > 1 ? `${sv} · ${yName}` : sv;
      let s = byName.get(name);
      if (!s) {
        s = { values: categorical ? new Map<number, number>() : [], total: 0, at: byName.size };
        byName.set(name, s);
      }
      if (s.values instanceof Map) s.values.set(x, (s.values.get(x) ?? 0) + y);
      else s.values.push({ x, y });
      s.total += Math.abs(y);
      used = true;
    }
    if (!used) skipped++;
  }

  const kept = pickLargest([...byName].map(([name, s]) => ({ name, ...s })), MAX_SERIES);
  const moreSeries = byName.size - kept.length;
  const series: Series[] = kept.map(({ name, values }) => {
    const points = values instanceof Map ? [...values].map(([x, y]) => ({ x, y })) : values;
    points.sort((a, b) => a.x - b.x);
    return { name, points };
  });
  return { kind, categories, series, slices: [], utc, skipped, moreSeries };
}

/**
 * The n largest of a list by total (on a tie, the earlier), kept in the
 * list's order (of first appearance) so that colours follow the data.
 */
export function pickLargest<T extends { total: number; at: number }>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  const chosen = new Set([...list].sort((a, b) => b.total - a.total || a.at - b.at).slice(0, n));
  return list.filter((s) => chosen.has(s));
}

/** The extent of every y value, or null when there is none. */
export function yExtent(series: Series[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (const p of s.points) {
      if (p.y < lo) lo = p.y;
      if (p.y > hi) hi = p.y;
    }
  return lo === Infinity ? null : [lo, hi];
}

export function xExtent(series: Series[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (const p of s.points) {
      if (p.x < lo) lo = p.x;
      if (p.x > hi) hi = p.x;
    }
  return lo === Infinity ? null : [lo, hi];
}

function niceStep(raw: number): number {
  const exp = Math.floor(Math.log10(raw));
  // Rounded, so that 0.001 / 4 (2.5000000000000004e-4) counts as 2.5e-4.
  const f = Number((raw / 10 ** exp).toPrecision(12));
  const nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return Number((nf * 10 ** exp).toPrecision(12));
}

export interface Ticks {
  /** The domain: the outer ticks. */
  min: number;
  max: number;
  ticks: number[];
  /** The distance between ticks (1, 2, 2.5 or 5 times a power of ten). */
  step: number;
}

/**
 * Round ticks covering [min, max], about count of them; the domain grows to
 * the outer ticks. With integers (every value is a whole number, e.g. a
 * count), the step is a whole number too: never 0.5 between 1 and 2.
 */
export function niceTicks(min: number, max: number, count = 5, integers = false): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { min: 0, max: 1, ticks: [0, 1], step: 1 };
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    let pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    if (integers) pad = Math.max(1, Math.round(pad));
    min -= pad;
    max += pad;
  }
  let step = niceStep((max - min) / Math.max(1, count - 1));
  // Whole numbers: 1 at least, and 2 rather than 2.5.
  if (integers && step < 1) step = 1;
  if (integers && step === 2.5) step = 2;
  const lo = Number((Math.floor(min / step + 1e-9) * step).toPrecision(12));
  const hi = Number((Math.ceil(max / step - 1e-9) * step).toPrecision(12));
  const ticks: number[] = [];
  // Each tick from its index, so that rounding errors don't add up.
  const n = Math.round((hi - lo) / step);
  for (let i = 0; i <= n; i++) ticks.push(Number((lo + i * step).toPrecision(12)));
  return { min: lo, max: hi, ticks, step };
}

/** True when every value is a whole number (then an axis over them gets whole-number ticks). */
export function allIntegers(values: Iterable<number>): boolean {
  for (const v of values) if (!Number.isInteger(v)) return false;
  return true;
}

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const FIXED = [SEC, 5 * SEC, 15 * SEC, 30 * SEC, MIN, 5 * MIN, 15 * MIN, 30 * MIN, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];
const MONTHS = [1, 3, 6, 12, 24, 60, 120, 240, 600];

export type TimeUnit = "second" | "minute" | "hour" | "day" | "month" | "year";

/**
 * Calendar ticks over [min, max] ms: at most about count, on whole seconds,
 * minutes, hours, days, weeks, months or years (in UTC, or in the viewer's
 * zone when utc is false). unit says how precisely to label them.
 */
export function timeTicks(min: number, max: number, count = 6, utc = true): { ticks: number[]; unit: TimeUnit } {
  // A month's data with room for 2 labels: weekly ticks beat a single one.
  let best = calendarTicks(min, max, count, utc);
  for (let c = count + 1; best.ticks.length < 2 && c <= count * 4; c++) best = calendarTicks(min, max, c, utc);
  return best;
}

function calendarTicks(min: number, max: number, count: number, utc: boolean): { ticks: number[]; unit: TimeUnit } {
  const span = Math.max(max - min, 1);
  const fixed = FIXED.find((s) => span / s <= count);
  if (fixed !== undefined) {
    const offset = utc || fixed < HOUR ? 0 : new Date(min).getTimezoneOffset() * MIN;
    const ticks: number[] = [];
    for (let t = Math.ceil((min - offset) / fixed) * fixed + offset; t <= max; t += fixed) ticks.push(t);
    const unit: TimeUnit = fixed < MIN ? "second" : fixed < HOUR ? "minute" : fixed < DAY ? "hour" : "day";
    return { ticks, unit };
  }
  const months = MONTHS.find((m) => span / (m * 30.44 * DAY) <= count) ?? MONTHS[MONTHS.length - 1]!;
  const d = new Date(min);
  const get = (f: "FullYear" | "Month") => (utc ? d[`getUTC${f}`]() : d[`get${f}`]());
  let y = get("FullYear");
  let m = get("Month");
  // Start at the first whole step at or after min.
  const total = y * 12 + m;
  let k = Math.ceil(total / months) * months;
  const ticks: number[] = [];
  for (let guard = 0; guard < 100; guard++, k += months) {
    y = Math.floor(k / 12);
    m = k % 12;
    const t = utc ? Date.UTC(y, m, 1) : new Date(y, m, 1).getTime();
    if (t < min) continue;
    if (t > max) break;
    ticks.push(t);
  }
  return { ticks, unit: months >= 12 ? "year" : "month" };
}

/** Intl options to label a time tick of unit. */
export function timeFormat(unit: TimeUnit, utc: boolean): Intl.DateTimeFormatOptions {
  const zone: Intl.DateTimeFormatOptions = utc ? { timeZone: "UTC" } : {};
  switch (unit) {
    case "year":
      return { ...zone, year: "numeric" };
    case "month":
      return { ...zone, year: "numeric", month: "short" };
    case "day":
      return { ...zone, month: "short", day: "numeric" };
    case "hour":
    case "minute":
      return { ...zone, month: "short", day: "numeric", hour: "numeric", minute: "2-digit" };
    default:
      return { ...zone, hour: "numeric", minute: "2-digit", second: "2-digit" };
  }
}

// ---------------------------------------------------------------------------
// Axis labels: how much room they take, and fitting them in.

/** Measures text in px; the chart passes a canvas measurer, tests the estimate. */
export type Measure = (text: string) => number;

/**
 * Estimated width in px of text in a sans-serif font of fontSize px (the
 * charts' tick labels are 12 px), from rough per-character widths of common
 * system fonts, erring wide. Used where text can't be measured.
 */
export function estimateTextWidth(text: string, fontSize = 12): number {
  let em = 0;
  for (const ch of text) {
    if (/[ijl|!.,:;'`]/.test(ch)) em += 0.3;
    else if (/[fIrt()[\]{}/\\\- ]/.test(ch)) em += 0.38;
    else if (/[mwMW@%]/.test(ch)) em += 0.92;
    else if (/[A-Z&]/.test(ch)) em += 0.7;
    else if (/[0-9a-z_#$?+=<>~^*"]/.test(ch)) em += 0.58;
    else if (ch.codePointAt(0)! < 0x2e80) em += 0.65;
    // CJK and other wide scripts.
    else em += 1;
  }
  return em * fontSize;
}

/**
 * text as it fits in maxWidth: whole, or cut with an ellipsis ("course_pub…");
 * "" when not even the ellipsis fits. Never splits a surrogate pair.
 */
export function fitText(text: string, maxWidth: number, measure: Measure = estimateTextWidth): string {
  if (measure(text) <= maxWidth) return text;
  const chars = Array.from(text);
  const cut = (n: number) => chars.slice(0, n).join("").trimEnd() + "…";
  // The longest prefix that fits, by bisection (wider with every character).
  let lo = 0;
  let hi = chars.length - 1;
  if (measure(cut(0)) > maxWidth) return "";
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(cut(mid)) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

/** Where to centre a label of width so that it stays within [lo, hi] (its middle when it is wider). */
export function clampCenter(x: number, width: number, lo: number, hi: number): number {
  if (width >= hi - lo) return (lo + hi) / 2;
  return Math.min(Math.max(x, lo + width / 2), hi - width / 2);
}

/** Rotated x labels slope down to the left at this angle, ending under their tick. */
export const LABEL_ANGLE = 40;
/** Rotated labels are anchored this far below the plot. */
export const LABEL_DY = 10;
/** The tick font's ascent and descent in px (12 px text, generous for accents). */
const ASCENT = 10;
const DESCENT = 3;
/** Room below the lowest label for the x axis title. */
const TITLE_ROOM = 22;
/** The bottom margin with level labels (a line of labels and the title). */
export const LEVEL_BOTTOM = 46;
/** No label is drawn wider than this (about 18 characters); longer ones end with "…". */
export const MAX_LABEL_WIDTH = 132;
/** Rotated labels' anchors at least this far apart (else only every k-th is drawn). */
const ROTATED_GAP = 16;
const PAD = 2;

const COS = Math.cos((LABEL_ANGLE * Math.PI) / 180);
const SIN = Math.sin((LABEL_ANGLE * Math.PI) / 180);

/** How far a rotated label of width reaches left of and below its anchor. */
export function rotatedExtent(width: number): { left: number; down: number } {
  return { left: width * COS + ASCENT * SIN, down: width * SIN + DESCENT * COS };
}

export interface CategoryAxisInput {
  /** The categories' labels, in drawing order. */
  labels: string[];
  /** The chart's size (SVG units, which are CSS px). */
  width: number;
  height: number;
  /** Margins: left is what the y axis needs; it may grow to make room for the first rotated labels. */
  left: number;
  right: number;
  measure?: Measure;
}

export interface CategoryAxis {
  /** Margins for the plot. */
  left: number;
  bottom: number;
  rotate: boolean;
  /** The labels to draw: the category's index, the text (maybe cut with "…") and the whole text. */
  ticks: { index: number; label: string; full: string }[];
}

/**
 * Lays out a category x axis: level labels when the longest fits in a band,
 * else labels rotated by LABEL_ANGLE (every k-th when the bands are narrow).
 * Rotated labels reach left of their tick, so the left margin grows until the
 * first labels fit (up to 30% of the width); a label that still wouldn't fit,
 * or is wider than MAX_LABEL_WIDTH or than the bottom half of the chart allows,
 * is cut with an ellipsis. The bottom margin is what the longest drawn label
 * needs. No label ever reaches past the chart's left edge or into the title.
 */
export function categoryAxis({ labels, width, height, left, right, measure = estimateTextWidth }: CategoryAxisInput): CategoryAxis {
  const n = Math.max(1, labels.length);
  const widths = labels.map((l) => measure(l));
  const bandAt = (l: number) => Math.max(0, width - l - right) / n;
  const longest = Math.min(MAX_LABEL_WIDTH, Math.max(0, ...widths));

  if (longest + 4 <= bandAt(left)) {
    const ticks = labels.map((full, index) => ({ index, full, label: fitText(full, MAX_LABEL_WIDTH, measure) }));
    return { left, bottom: LEVEL_BOTTOM, rotate: false, ticks };
  }

  // The widest a rotated label may be: its drop must leave the plot at least half the height.
  const maxDown = Math.floor(height / 2) - LABEL_DY - TITLE_ROOM;
  const cap = Math.max(0, Math.min(MAX_LABEL_WIDTH, (maxDown - DESCENT * COS) / SIN));
  const maxLeft = Math.max(left, Math.round(width * 0.3));

  // Grow the left margin until every drawn label fits (the drawn ones depend on the band, so a few rounds).
  let l = left;
  let every = 1;
  for (let round = 0; round < 4; round++) {
    every = Math.max(1, Math.ceil(ROTATED_GAP / Math.max(1e-9, bandAt(l))));
    let need = left;
    for (let i = 0; i < labels.length; i += every) {
      const reach = rotatedExtent(Math.min(cap, widths[i]!)).left + PAD;
      // The anchor is at l + b * (width - right - l); solve for l.
      const b = (i + 0.5) / n;
      need = Math.max(need, (reach - b * (width - right)) / (1 - b));
    }
    const next = Math.min(maxLeft, Math.ceil(need));
    if (next === l) break;
    l = next;
  }
  every = Math.max(1, Math.ceil(ROTATED_GAP / Math.max(1e-9, bandAt(l))));

  const band = bandAt(l);
  const ticks: CategoryAxis["ticks"] = [];
  let down = 0;
  for (let i = 0; i < labels.length; i += every) {
    const anchor = l + (i + 0.5) * band;
    // What the label's run to the left may be so that its corner stays inside.
    const room = Math.min(cap, (anchor - PAD - ASCENT * SIN) / COS);
    const full = labels[i]!;
    const label = widths[i]! <= room ? full : fitText(full, room, measure);
    if (label) down = Math.max(down, rotatedExtent(measure(label)).down);
    ticks.push({ index: i, full, label });
  }
  const bottom = Math.max(LEVEL_BOTTOM, Math.ceil(LABEL_DY + down + TITLE_ROOM));
  return { left: l, bottom, rotate: true, ticks };
}
