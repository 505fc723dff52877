import { describe, expect, it } from "vitest";
import { axisNumber, between, cellText, isZonedType, localTime, timeCell, utcTime, formatBytes, formatDuration, isNumericType, isTimeType, shortNumber, sqlName, sqlSnippet, tickDecimals } from "./format";

describe("types", () => {
  it("knows number types by their DuckDB and PostgreSQL names", () => {
    for (const t of ["BIGINT", "INTEGER", "int4", "HUGEINT", "UBIGINT", "DOUBLE", "double precision", "DECIMAL(18,3)", "numeric", "REAL", "FLOAT", "SMALLINT", "TINYINT"])
      expect(isNumericType(t), t).toBe(true);
    for (const t of ["VARCHAR", "TEXT", "DATE", "BOOLEAN", "INTERVAL", "integer[]".replace("integer", "varchar"), "UUID"])
      expect(isNumericType(t), t).toBe(false);
  });
  it("knows date and time types", () => {
    for (const t of ["DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "timestamptz", "TIME"]) expect(isTimeType(t), t).toBe(true);
    expect(isTimeType("VARCHAR")).toBe(false);
    expect(isTimeType("INTERVAL")).toBe(false);
  });
});

describe("cellText", () => {
  it("keeps integers whole and uses the locale's decimal sign", () => {
    expect(cellText(2024, "en")).toBe("2024");
    expect(cellText(1234567, "es")).toBe("1234567");
    expect(cellText(3.5, "en")).toBe("3.5");
    expect(cellText(3.5, "es")).toBe("3,5");
    expect(cellText(0.1 + 0.2, "en")).toBe("0.3");
    expect(cellText(1e-9, "en")).toBe("1e-9");
  });
  it("shows other values as text", () => {
    expect(cellText("x", "en")).toBe("x");
    expect(cellText(true, "en")).toBe("true");
    expect(cellText([1, "a"], "en")).toBe('[1,"a"]');
    expect(cellText({ a: 1 }, "en")).toBe('{"a":1}');
    expect(cellText(null, "en")).toBe("");
  });
});

describe("numbers, sizes and durations", () => {
  it("rounds for axes", () => {
    expect(shortNumber(12345.678, "en")).toBe("12,346");
    expect(shortNumber(3.14159, "es")).toBe("3,14");
    expect(shortNumber(0.012345, "en")).toBe("0.0123");
  });
  it("labels axis ticks with the decimals of their step", () => {
    expect([1, 0.5, 2.5, 0.25, 25, 0.0005, 1e-7].map(tickDecimals)).toEqual([0, 1, 1, 2, 0, 4, 7]);
    expect(axisNumber(1, 1, "en")).toBe("1");
    expect(axisNumber(1.5, 0.5, "es")).toBe("1,5");
    expect(axisNumber(102.5, 2.5, "en")).toBe("102.5");
    expect(axisNumber(1000, 500, "en")).toBe("1,000");
    expect(axisNumber(0, 0.25, "en")).toBe("0");
    // Exponent form for huge and tiny numbers, still telling neighbours apart.
    expect(axisNumber(1.25e15, 2.5e14, "en")).toBe("1.25e+15");
    expect(axisNumber(3e-7, 1e-7, "en")).toBe("3e-7");
    expect(axisNumber(1.25e-7, 2.5e-8, "en")).not.toBe(axisNumber(1.5e-7, 2.5e-8, "en"));
  });
  it("formats bytes", () => {
    expect(formatBytes(512, "en")).toBe("512 B");
    expect(formatBytes(1536, "en")).toBe("1.5 KB");
    expect(formatBytes(3 * 1024 * 1024, "es")).toBe("3 MB");
  });
  it("formats durations", () => {
    expect(formatDuration(350, "en")).toBe("350 ms");
    expect(formatDuration(4210, "en")).toBe("4.2 s");
    expect(formatDuration(4210, "es")).toBe("4,2 s");
    expect(formatDuration(65_000, "en")).toBe("1:05");
    expect(formatDuration(3_723_000, "en")).toBe("1:02:03");
  });
  it("measures between two times", () => {
    expect(between("2026-01-01T00:00:00Z", "2026-01-01T00:00:02.5Z")).toBe(2500);
    expect(between("2026-01-01T00:00:05Z", undefined, Date.parse("2026-01-01T00:00:00Z"))).toBe(0);
    expect(between(undefined, undefined)).toBeNull();
  });
  it("cuts SQL to one line", () => {
    expect(sqlSnippet("select *\n  from   t", 100)).toBe("select * from t");
    expect(sqlSnippet("abcdefghij", 5)).toBe("abcd…");
  });
});

describe("sqlName", () => {
  it("quotes names that need it", () => {
    expect(sqlName("events")).toBe("events");
    expect(sqlName("main.events")).toBe("main.events");
    expect(sqlName("Course Title")).toBe('"Course Title"');
    expect(sqlName('a"b')).toBe('"a""b"');
  });
});

describe("localTime", () => {
  it("shows zoned times in the viewer's zone and leaves the rest", () => {
    // The tests run with TZ set below; compare against the same Date getters.
    const d = new Date("2026-10-26T00:16:32.781Z");
    const p = (n: number) => String(n).padStart(2, "0");
    expect(localTime("2026-10-26T00:16:32.781Z")).toBe(
      `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.781`,
    );
    expect(localTime("2026-10-26 00:16:32+02")).not.toBeNull();
    expect(localTime("2026-10-26")).toBeNull();
    expect(localTime("2026-10-26 00:16:32")).toBeNull();
    expect(localTime("hello")).toBeNull();
    expect(localTime(5)).toBeNull();
  });
});

describe("time cells", () => {
  it("shows plain timestamps in UTC and zoned ones in the viewer's zone", () => {
    expect(utcTime("2026-10-26T00:16:32.781Z")).toBe("2026-10-26 00:16:32.781");
    expect(utcTime("2026-10-26T02:00:00+02:00")).toBe("2026-10-26 00:00:00");
    expect(timeCell("2026-10-26T00:00:00Z", "TIMESTAMP")).toEqual({ text: "2026-10-26 00:00:00", zone: "utc" });
    expect(timeCell("2026-10-26T00:00:00Z", "TIMESTAMP WITH TIME ZONE")).toEqual({ text: localTime("2026-10-26T00:00:00Z"), zone: "local" });
    expect(timeCell("2026-10-26", "DATE")).toBeNull();
    expect(timeCell("x", "VARCHAR")).toBeNull();
    expect(isZonedType("TIMESTAMP WITH TIME ZONE")).toBe(true);
    expect(isZonedType("timestamptz")).toBe(true);
    expect(isZonedType("TIMESTAMP")).toBe(false);
  });
});
