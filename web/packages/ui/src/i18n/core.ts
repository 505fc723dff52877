// The translation layer: catalogs of messages per locale, {name} placeholders,
// plurals by Intl.PluralRules, and dates and numbers by Intl in the viewer's
// time zone. Framework-free, so that it can be unit-tested in node.

export const LOCALES = ["en", "es"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** Each locale's name in its own language, for the language switcher. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", es: "Español" };

export const LOCALE_STORAGE_KEY = "lyceum.locale";

export type Catalog = Record<string, string>;
export type Catalogs<C extends Catalog = Catalog> = Record<Locale, C>;

type PluralSuffix = "zero" | "one" | "two" | "few" | "many" | "other";
/** The key to call t() with: plural variants `x_one`, `x_other` are called as `x`. */
export type MessageKey<C> = {
  [K in keyof C & string]: K extends `${infer B}_${PluralSuffix}` ? B : K;
}[keyof C & string];

export type Params = Record<string, string | number>;
export type Translate<K extends string = string> = (key: K, params?: Params) => string;

export function isLocale(s: unknown): s is Locale {
  return typeof s === "string" && (LOCALES as readonly string[]).includes(s);
}

/**
 * Picks the locale: the stored choice if valid, else the first of the
 * browser's languages we ship (matching "es-MX" to "es"), else English.
 */
export function pickLocale(stored: string | null | undefined, languages: readonly string[]): Locale {
  if (isLocale(stored)) return stored;
  for (const lang of languages) {
    const base = lang.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return DEFAULT_LOCALE;
}

const pluralRules = new Map<string, Intl.PluralRules>();
function pluralCategory(locale: Locale, n: number): string {
  let r = pluralRules.get(locale);
  if (!r) {
    r = new Intl.PluralRules(locale);
    pluralRules.set(locale, r);
  }
  return r.select(n);
}

function lookup(catalog: Catalog | undefined, locale: Locale, key: string, params?: Params): string | undefined {
  if (!catalog) return undefined;
  const count = params?.count;
  if (typeof count === "number") {
    const v = catalog[`${key}_${pluralCategory(locale, count)}`] ?? catalog[`${key}_other`];
    if (v !== undefined) return v;
  }
  return catalog[key];
}

/** Replaces {name} in template with params.name; numbers are formatted for the locale. */
export function interpolate(template: string, locale: Locale, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined) return m;
    return typeof v === "number" ? formatNumber(v, locale) : v;
  });
}

/** Returns t() for locale, falling back to English, then to the key itself. */
export function translator<K extends string = string>(catalogs: Catalogs, locale: Locale): Translate<K> {
  return (key, params) => {
    const msg =
      lookup(catalogs[locale], locale, key, params) ?? lookup(catalogs[DEFAULT_LOCALE], DEFAULT_LOCALE, key, params);
    if (msg === undefined) {
      if (import.meta.env?.DEV) console.warn(`i18n: no message for "${key}"`);
      return key;
    }
    return interpolate(msg, locale, params);
  };
}

/** Merges catalogs (e.g. the shared UI's and an app's) locale by locale. */
export function mergeCatalogs(...all: Catalogs[]): Catalogs {
  const out = {} as Catalogs;
  for (const l of LOCALES) out[l] = Object.assign({}, ...all.map((c) => c[l]));
  return out;
}

function placeholders(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
}

/**
 * Lists what is wrong with a set of catalogs: keys of the English catalog
 * missing in another locale (and the reverse), empty messages, and messages
 * whose placeholders differ from the English ones. Empty when complete.
 */
export function catalogProblems(catalogs: Catalogs): string[] {
  const problems: string[] = [];
  const en = catalogs[DEFAULT_LOCALE];
  for (const locale of LOCALES) {
    const c = catalogs[locale];
    for (const [key, msg] of Object.entries(c)) {
      if (msg.trim() === "") problems.push(`${locale}: "${key}" is empty`);
    }
    if (locale === DEFAULT_LOCALE) continue;
    for (const key of Object.keys(en)) {
      const msg = c[key];
      if (msg === undefined) {
        problems.push(`${locale}: missing "${key}"`);
        continue;
      }
      const want = placeholders(en[key] ?? "").join(",");
      const got = placeholders(msg).join(",");
      if (want !== got) problems.push(`${locale}: "${key}" has placeholders {${got}}, English has {${want}}`);
    }
    for (const key of Object.keys(c)) {
      if (!(key in en)) problems.push(`${locale}: "${key}" is not in the English catalog`);
    }
  }
  return problems;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
export function formatNumber(n: number, locale: Locale, opts?: Intl.NumberFormatOptions): string {
  const k = locale + JSON.stringify(opts ?? {});
  let f = numberFormats.get(k);
  if (!f) {
    f = new Intl.NumberFormat(locale, { maximumFractionDigits: 2, ...opts });
    numberFormats.set(k, f);
  }
  return f.format(n);
}

/** A date and time in the viewer's time zone, e.g. "Mar 4, 2026, 3:05 PM". */
export function formatDateTime(iso: string | Date, locale: Locale, opts?: Intl.DateTimeFormatOptions, timeZone?: string): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return "";
  const o = { ...(opts ?? { dateStyle: "medium", timeStyle: "short" }), ...(timeZone ? { timeZone } : {}) } as Intl.DateTimeFormatOptions;
  try {
    return new Intl.DateTimeFormat(locale, o).format(d);
  } catch {
    // A zone this browser does not know: the browser's own.
    return new Intl.DateTimeFormat(locale, opts ?? { dateStyle: "medium", timeStyle: "short" }).format(d);
  }
}

/** A date in the viewer's time zone (theirs, or the browser's), e.g. "Mar 4, 2026". */
export function formatDate(iso: string | Date, locale: Locale, timeZone?: string): string {
  return formatDateTime(iso, locale, { dateStyle: "medium" }, timeZone);
}

/** Seconds as a clock: "4:05", "1:02:03". */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * Parses a number typed by a person: either "." or "," as the decimal
 * separator, spaces and thousands separators ignored. NaN when it is not a
 * number.
 */
export function parseDecimal(input: string): number {
  let s = input.trim().replace(/[\s\u00a0\u202f']/g, "");
  if (s === "") return NaN;
  const lastDot = s.lastIndexOf(".");
  const lastComma = s.lastIndexOf(",");
  if (lastDot !== -1 && lastComma !== -1) {
    // The later one is the decimal separator, the other groups thousands.
    const dec = lastDot > lastComma ? "." : ",";
    const group = dec === "." ? "," : ".";
    s = s.split(group).join("").replace(dec, ".");
  } else if (lastComma !== -1) {
    const parts = s.split(",");
    // "1,234,567" groups thousands; "3,5" and "1,2345" are decimals.
    s = parts.length > 2 && parts.slice(1).every((p) => p.length === 3) ? parts.join("") : s.replace(",", ".");
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return NaN;
  return Number(s);
}
