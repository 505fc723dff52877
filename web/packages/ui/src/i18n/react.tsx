import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import {
  formatDate,
  formatDateTime,
  formatNumber,
  LOCALE_STORAGE_KEY,
  pickLocale,
  translator,
  type Catalogs,
  type Locale,
  type Params,
} from "./core";

export interface I18n<K extends string = string> {
  locale: Locale;
  setLocale(l: Locale): void;
  /** The IANA time zone times are shown in; "" is the browser's. */
  timeZone: string;
  setTimeZone(tz: string): void;
  t(key: K, params?: Params): string;
  date(iso: string | Date): string;
  dateTime(iso: string | Date): string;
  number(n: number, opts?: Intl.NumberFormatOptions): string;
  /** 0-100 as a percentage, e.g. "42 %" in Spanish. */
  percent(p: number): string;
}

const Ctx = createContext<I18n | null>(null);

function storedLocale(): string | null {
  try {
    return localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    return null;
  }
}

export function initialLocale(): Locale {
  const langs = typeof navigator === "undefined" ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];
  return pickLocale(storedLocale(), langs);
}

export function I18nProvider({ catalogs, children }: { catalogs: Catalogs; children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const [timeZone, setTimeZone] = useState("");

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const setLocale = useCallback((l: Locale) => {
    try {
      localStorage.setItem(LOCALE_STORAGE_KEY, l);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    setLocaleState(l);
  }, []);

  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      timeZone,
      setTimeZone,
      t: translator(catalogs, locale),
      date: (iso) => formatDate(iso, locale, timeZone),
      dateTime: (iso) => formatDateTime(iso, locale, undefined, timeZone),
      number: (n, opts) => formatNumber(n, locale, opts),
      percent: (p) => formatNumber(p / 100, locale, { style: "percent", maximumFractionDigits: 0 }),
    }),
    [catalogs, locale, setLocale, timeZone],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** The translation layer, or null outside an I18nProvider. */
export function useOptionalI18n(): I18n | null {
  return useContext(Ctx);
}

/** The translation layer; K narrows t() to a catalog's keys. */
export function useI18n<K extends string = string>(): I18n<K> {
  const v = useContext(Ctx);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v as I18n<K>;
}
