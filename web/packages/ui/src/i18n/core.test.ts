import { describe, expect, it } from "vitest";
import { catalogProblems, formatClock, formatDate, formatDateTime, interpolate, mergeCatalogs, parseDecimal, pickLocale, translator } from "./core";
import { uiCatalogs } from "./messages";

describe("i18n", () => {
  it("ships the shared messages complete in every locale", () => {
    expect(catalogProblems(uiCatalogs)).toEqual([]);
  });

  it("finds missing, extra, empty and mismatched messages", () => {
    const problems = catalogProblems({
      en: { a: "A {x}", b: "B", c: "C" },
      es: { a: "A {y}", b: "", d: "D" },
    });
    expect(problems).toEqual([
      'es: "b" is empty',
      'es: "a" has placeholders {y}, English has {x}',
      'es: missing "c"',
      'es: "d" is not in the English catalog',
    ]);
  });

  it("picks the stored locale, then the browser's, then English", () => {
    expect(pickLocale("es", ["en-US"])).toBe("es");
    expect(pickLocale(null, ["fr-FR", "es-MX", "en"])).toBe("es");
    expect(pickLocale("xx", ["de"])).toBe("en");
    expect(pickLocale(undefined, [])).toBe("en");
  });

  it("interpolates, pluralizes and falls back to English", () => {
    const t = translator(
      mergeCatalogs({
        en: { hi: "Hi {name}", n_one: "{count} item", n_other: "{count} items", onlyEn: "English" },
        es: { hi: "Hola {name}", n_one: "{count} elemento", n_other: "{count} elementos" },
      }),
      "es",
    );
    expect(t("hi", { name: "Ana" })).toBe("Hola Ana");
    expect(t("n", { count: 1 })).toBe("1 elemento");
    expect(t("n", { count: 1500 })).toBe("1500 elementos".replace("1500", new Intl.NumberFormat("es").format(1500)));
    expect(t("onlyEn")).toBe("English");
    expect(t("nope")).toBe("nope");
  });

  it("formats numbers for the locale", () => {
    expect(interpolate("{x}", "es", { x: 3.5 })).toBe("3,5");
    expect(interpolate("{x}", "en", { x: 3.5 })).toBe("3.5");
    expect(interpolate("{missing}", "en", {})).toBe("{missing}");
  });

  it("formats clock times", () => {
    expect(formatClock(0)).toBe("0:00");
    expect(formatClock(65.9)).toBe("1:05");
    expect(formatClock(3723)).toBe("1:02:03");
  });

  it("parses decimals typed with a point or a comma", () => {
    expect(parseDecimal("3.5")).toBe(3.5);
    expect(parseDecimal(" 3,5 ")).toBe(3.5);
    expect(parseDecimal("-0,25")).toBe(-0.25);
    expect(parseDecimal("1,234,567")).toBe(1234567);
    expect(parseDecimal("1.234,5")).toBe(1234.5);
    expect(parseDecimal("1,234.5")).toBe(1234.5);
    expect(parseDecimal("1e3")).toBe(1000);
    expect(parseDecimal(".5")).toBe(0.5);
    expect(parseDecimal("")).toBeNaN();
    expect(parseDecimal("abc")).toBeNaN();
    expect(parseDecimal("1.2.3")).toBeNaN();
  });
});

describe("formatDateTime", () => {
  it("shows times in the viewer's chosen zone, and the browser's for one it does not know", () => {
    const at = "2026-03-04T23:30:00Z";
    expect(formatDateTime(at, "en", { timeStyle: "short" }, "Asia/Kolkata")).toBe("5:00 AM");
    expect(formatDateTime(at, "en", { timeStyle: "short" }, "America/New_York")).toBe("6:30 PM");
    expect(formatDate(at, "en", "Asia/Tokyo")).toBe("Mar 5, 2026");
    expect(formatDate(at, "en", "Not/AZone")).toBe(formatDate(at, "en"));
  });
});
