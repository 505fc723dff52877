// Formatting of result cells, sizes and durations.
import { formatNumber, type Locale } from "@lyceum/ui";

const NUMERIC_TYPE =
  /^(u?(tiny|small|big|huge)?int(eger)?|int[1248]|u?hugeint|float[48]?|real|double( precision)?|decimal|numeric|number|serial|bigserial)\b/i;
const TIME_TYPE = /^(date|time|timestamp|timestamptz|datetime)\b/i;

/** True for the warehouse's number types (DuckDB's and PostgreSQL's names). */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPE.test(type.trim());
}

/** True for types whose values carry a time zone (shown in the viewer's). */
export function isZonedType(type: string): boolean {
  return /with time zone|^timestamptz\b/i.test(type.trim());
}

/** True for date and time types. */
export function isTimeType(type: string): boolean {
  return TIME_TYPE.test(type.trim());
}

/**
 * A cell's text. Numbers keep every digit they have (no thousands grouping:
 * ids and years stay as they are) with the locale's decimal sign; lists and
 * structs are JSON. NULL is the caller's to show distinctly.
 */
export function cellText(v: unknown, locale: Locale): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v) || Math.abs(v) >= 1e21 || (v !== 0 && Math.abs(v) < 1e-6)) return String(v);
    return formatNumber(v, locale, { useGrouping: false, maximumFractionDigits: 10 });
  }
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "true" : "false";
  return JSON.stringify(v);
}

const ZONED_ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$/;

function isoDate(v: string): Date | null {
  if (!ZONED_ISO.test(v)) return null;
  const d = new Date(v.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2").replace(/([+-]\d{2})$/, "$1:00"));
  return Number.isNaN(d.getTime()) ? null : d;
}

function stamp(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${y}-${p(mo + 1)}-${p(d)} ${p(h)}:${p(mi)}:${p(s)}` + (ms ? `.${p(ms, 3)}` : "");
}

/** A zoned ISO time as "2026-10-25 18:16:32" in the viewer's time zone; null for anything else. */
export function localTime(v: unknown): string | null {
  const d = typeof v === "string" ? isoDate(v) : null;
  if (!d) return null;
  return stamp(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds());
}

/** A zoned ISO time as "2026-10-26 00:16:32" in UTC (how a plain TIMESTAMP is stored); null for anything else. */
export function utcTime(v: unknown): string | null {
  const d = typeof v === "string" ? isoDate(v) : null;
  if (!d) return null;
  return stamp(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/**
 * How a time cell reads: a column with a time zone in the viewer's zone
 * ("local"), a plain TIMESTAMP in UTC as stored ("utc"), else null (the value as it is).
 */
export function timeCell(v: unknown, type: string): { text: string; zone: "local" | "utc" } | null {
  if (!isTimeType(type)) return null;
  if (isZonedType(type)) {
    const text = localTime(v);
    return text === null ? null : { text, zone: "local" };
  }
  const text = utcTime(v);
  return text === null ? null : { text, zone: "utc" };
}

/** The viewer's time zone, e.g. "Europe/Madrid". */
export function timeZoneName(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

/** A number for a chart axis or tooltip: grouped and rounded for reading. */
export function shortNumber(n: number, locale: Locale): string {
  const a = Math.abs(n);
  if (a >= 1e15 || (a !== 0 && a < 1e-4)) return n.toExponential(2);
  return formatNumber(n, locale, { maximumFractionDigits: a >= 100 ? 0 : a >= 1 ? 2 : 4 });
}

/**
 * How many digits after the decimal point tell ticks step apart: 0 for
 * whole steps, 1 for 0.5 or 2.5, 2 for 0.25, ...
 */
export function tickDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  for (let d = 0; d <= 15; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, scaled)) return d;
  }
  return 15;
}

/**
 * A tick label of an axis whose ticks are step apart: as many decimals as
 * the step has (0, 0.5, 1, 1.5; 100, 102.5), so no two ticks read the same.
 * Huge and tiny numbers in exponent form, with enough digits to differ.
 */
export function axisNumber(n: number, step: number, locale: Locale): string {
  if (n === 0) return formatNumber(0, locale);
  const a = Math.abs(n);
  if (a >= 1e15 || step < 1e-6) {
    // Significant digits: from n's leading digit down to step's (+1 for 2.5-like steps).
    const digits = Math.floor(Math.log10(a)) - Math.floor(Math.log10(step)) + 2;
    return Number(n.toPrecision(Math.min(15, Math.max(1, digits)))).toExponential();
  }
  const d = tickDecimals(step);
  return formatNumber(n, locale, { minimumFractionDigits: 0, maximumFractionDigits: d });
}

/** Bytes for people: "512 B", "1.5 KB", "3.2 MB". */
export function formatBytes(n: number, locale: Locale): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${formatNumber(v, locale, { maximumFractionDigits: i === 0 ? 0 : 1 })} ${units[i]}`;
}

/** A duration: "350 ms", "4.2 s", "1:05", "1:02:03". */
export function formatDuration(ms: number, locale: Locale): string {
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${formatNumber(Math.floor(v / 100) / 10, locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} s`;
  const s = Math.floor(v / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Milliseconds between two ISO times (or now), never negative; null when unknown. */
export function between(from: string | undefined, to: string | undefined, now = Date.now()): number | null {
  if (!from) return null;
  const a = Date.parse(from);
  const b = to ? Date.parse(to) : now;
  if (Number.isNaN(a) || Number.isNaN(b)) return null;
  return Math.max(0, b - a);
}

/** The first line of sql, cut to max characters, for lists. */
export function sqlSnippet(sql: string, max = 120): string {
  const one = sql.replace(/\s+/g, " ").trim();
  return one.length > max ? one.slice(0, max - 1) + "…" : one;
}

/** A name as SQL needs it: quoted when it is not a plain lower-case identifier. */
export function sqlName(name: string): string {
  return name
    .split(".")
    .map((p) => (/^[a-z_][a-z0-9_]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`))
    .join(".");
}
