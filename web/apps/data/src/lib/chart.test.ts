import { describe, expect, it } from "vitest";
import { axisNumber } from "./format";
import {
  allIntegers,
  categoryAxis,
  clampCenter,
  estimateTextWidth,
  fitText,
  niceTicks,
  parseTime,
  pickLargest,
  rotatedExtent,
  shapeChart,
  suggestChart,
  timeTicks,
  toNumber,
  xKindOf,
  LABEL_DY,
  LEVEL_BOTTOM,
  MAX_LABEL_WIDTH,
  MAX_SERIES,
} from "./chart";

const cols = (...spec: [string, string][]) => spec.map(([name, type]) => ({ name, type }));

describe("values", () => {
  it("parses ISO dates and times, naive ones as UTC", () => {
    expect(parseTime("2026-03-04")).toEqual({ ms: Date.UTC(2026, 2, 4), zoned: false });
    expect(parseTime("2026-03-04 15:05:00")).toEqual({ ms: Date.UTC(2026, 2, 4, 15, 5), zoned: false });
    expect(parseTime("2026-03-04T15:05:00.250Z")).toEqual({ ms: Date.UTC(2026, 2, 4, 15, 5, 0, 250), zoned: true });
    expect(parseTime("2026-03-04 15:05:00+02")).toEqual({ ms: Date.UTC(2026, 2, 4, 13, 5), zoned: true });
    expect(parseTime("2026-03-04T15:05:00-0530")!.ms).toBe(Date.UTC(2026, 2, 4, 20, 35));
    expect(parseTime("March 4")).toBeNull();
    expect(parseTime(20260304)).toBeNull();
  });
  it("reads numbers and numeric strings", () => {
    expect(toNumber(3)).toBe(3);
    expect(toNumber("12345678901234567890")).toBe(12345678901234567000);
    expect(toNumber("-1.5e3")).toBe(-1500);
    expect(toNumber("12 apples")).toBeNull();
    expect(toNumber(null)).toBeNull();
    expect(toNumber(NaN)).toBeNull();
  });
  it("lays x out by type, then by values", () => {
    expect(xKindOf({ name: "n", type: "BIGINT" }, ["1", "2"])).toBe("number");
    expect(xKindOf({ name: "n", type: "VARCHAR" }, [1, null, 2])).toBe("number");
    expect(xKindOf({ name: "d", type: "DATE" }, ["2026-01-01", "2026-01-02"])).toBe("time");
    expect(xKindOf({ name: "c", type: "VARCHAR" }, ["es", "en"])).toBe("category");
    expect(xKindOf({ name: "c", type: "VARCHAR" }, [])).toBe("category");
  });
});

describe("shapeChart", () => {
  const columns = cols(["day", "DATE"], ["country", "VARCHAR"], ["signups", "BIGINT"], ["revenue", "DECIMAL(10,2)"]);
  const rows = [
    ["2026-01-02", "es", 5, "10.50"],
    ["2026-01-01", "es", 3, "7.00"],
    ["2026-01-01", "mx", 4, null],
    ["2026-01-02", "mx", 6, "1.25"],
    [null, "mx", 1, "1"],
  ];

  it("puts one series per y column on a sorted time axis", () => {
    const s = shapeChart(columns, rows, { type: "line", x: "day", y: ["signups", "revenue"] });
    expect(s.kind).toBe("time");
    expect(s.utc).toBe(true);
    expect(s.series.map((x) => x.name)).toEqual(["signups", "revenue"]);
    const jan1 = Date.UTC(2026, 0, 1);
    const jan2 = Date.UTC(2026, 0, 2);
    expect(s.series[0]!.points).toEqual([
      { x: jan1, y: 3 },
      { x: jan1, y: 4 },
      { x: jan2, y: 5 },
      { x: jan2, y: 6 },
    ]);
    // The NULL revenue is left out of its series only; the NULL day skips the row.
    expect(s.series[1]!.points).toHaveLength(3);
    expect(s.skipped).toBe(1);
  });

  it("splits by a series column", () => {
    const s = shapeChart(columns, rows, { type: "line", x: "day", y: ["signups"], series: "country" });
    expect(s.series.map((x) => x.name)).toEqual(["es", "mx"]);
    expect(s.series[0]!.points.map((p) => p.y)).toEqual([3, 5]);
    const two = shapeChart(columns, rows, { type: "line", x: "day", y: ["signups", "revenue"], series: "country" });
    expect(two.series.map((x) => x.name)).toEqual(["es · signups", "es · revenue", "mx · signups", "mx · revenue"]);
  });

  it("makes sorted categories of a bar chart's dates and sums repeats", () => {
    const s = shapeChart(columns, rows, { type: "bar", x: "day", y: ["signups"] });
    expect(s.kind).toBe("category");
    expect(s.categories).toEqual(["2026-01-01", "2026-01-02"]);
    expect(s.series[0]!.points).toEqual([
      { x: 0, y: 7 },
      { x: 1, y: 11 },
    ]);
  });

  it("keeps text categories in order of appearance", () => {
    const s = shapeChart(columns, rows, { type: "bar", x: "country", y: ["signups"] });
    expect(s.categories).toEqual(["es", "mx"]);
    expect(s.series[0]!.points).toEqual([
      { x: 0, y: 8 },
      { x: 1, y: 11 },
    ]);
  });

  it("sums a pie chart's first y by x, largest first, with the rest as Other", () => {
    const s = shapeChart(columns, rows, { type: "pie", x: "country", y: ["signups", "revenue"] });
    expect(s.slices).toEqual([
      { label: "mx", value: 11 },
      { label: "es", value: 8 },
    ]);
    const many = Array.from({ length: 14 }, (_, i) => [`c${i}`, 100 - i]);
    const p = shapeChart(cols(["c", "VARCHAR"], ["n", "INTEGER"]), many, { type: "pie", x: "c", y: ["n"] }, "Otros");
    expect(p.slices).toHaveLength(10);
    expect(p.slices[9]).toEqual({ label: "Otros", value: 91 + 90 + 89 + 88 + 87 });
  });

  it("limits the number of series", () => {
    const many = Array.from({ length: 30 }, (_, i) => [i % 15, `s${i % 15}`, i]);
    const s = shapeChart(cols(["x", "INTEGER"], ["s", "VARCHAR"], ["y", "INTEGER"]), many, { type: "scatter", x: "x", y: ["y"], series: "s" });
    expect(s.series).toHaveLength(MAX_SERIES);
    expect(s.moreSeries).toBe(5);
    // The rows of the series not drawn are not "empty or not a number".
    expect(s.skipped).toBe(0);
  });

  it("draws the largest series by total, in order of appearance, whatever comes first", () => {
    // Twelve small series first, then three large ones.
    const rows: unknown[][] = [];
    for (let i = 0; i < 12; i++) rows.push(["2026-01-01", `small${i}`, 1 + i / 100], ["2026-01-02", `small${i}`, 1]);
    for (const big of ["big1", "big2", "big3"]) rows.push(["2026-01-01", big, 50], ["2026-01-02", big, -60]);
    rows.push([null, "small0", 1], ["2026-01-03", "small1", "n/a"]);
    const s = shapeChart(cols(["d", "DATE"], ["s", "VARCHAR"], ["n", "DOUBLE"]), rows, { type: "line", x: "d", y: ["n"], series: "s" });
    expect(s.series.map((x) => x.name)).toEqual([...Array.from({ length: 7 }, (_, i) => `small${11 - 6 + i}`), "big1", "big2", "big3"]);
    expect(s.moreSeries).toBe(5);
    // Only the rows with no x or no number are skipped.
    expect(s.skipped).toBe(2);
    const bars = shapeChart(cols(["d", "DATE"], ["s", "VARCHAR"], ["n", "DOUBLE"]), rows, { type: "bar", x: "d", y: ["n"], series: "s" });
    expect(bars.series.map((x) => x.name).slice(-3)).toEqual(["big1", "big2", "big3"]);
    expect(bars.series.find((x) => x.name === "big1")!.points).toEqual([
      { x: 0, y: 50 },
      { x: 1, y: -60 },
    ]);
  });

  it("picks the largest by total, keeping their order", () => {
    const list = [3, 9, 1, 9, 5].map((total, at) => ({ total, at }));
    expect(pickLargest(list, 3)).toEqual([list[1], list[3], list[4]]);
    expect(pickLargest(list, 9)).toBe(list);
  });

  it("draws plain timestamps in UTC and zoned ones in the viewer's zone", () => {
    const rows = [["2026-01-01T10:00:00Z", 1]];
    const line = { type: "line" as const, x: "t", y: ["n"] };
    expect(shapeChart(cols(["t", "TIMESTAMP WITH TIME ZONE"], ["n", "INTEGER"]), rows, line).utc).toBe(false);
    expect(shapeChart(cols(["t", "TIMESTAMP"], ["n", "INTEGER"]), rows, line).utc).toBe(true);
    expect(shapeChart(cols(["t", "VARCHAR"], ["n", "INTEGER"]), rows, line).utc).toBe(false);
    expect(shapeChart(cols(["t", "VARCHAR"], ["n", "INTEGER"]), [["2026-01-01 10:00:00", 1]], line).utc).toBe(true);
  });

  it("is empty for unknown columns", () => {
    const s = shapeChart(columns, rows, { type: "line", x: "nope", y: ["signups"] });
    expect(s.series).toEqual([]);
    expect(s.skipped).toBe(rows.length);
  });
});

describe("suggestChart", () => {
  it("suggests time on x and numbers on y", () => {
    expect(suggestChart(cols(["day", "DATE"], ["n", "BIGINT"], ["m", "DOUBLE"]), [["2026-01-01", 1, 2]])).toEqual({
      type: "line",
      x: "day",
      y: ["n", "m"],
    });
    // A text column of a few values besides a time: one series per value.
    expect(
      suggestChart(cols(["day", "DATE"], ["country", "VARCHAR"], ["n", "BIGINT"], ["m", "DOUBLE"]), [
        ["2026-01-01", "es", 1, 2],
        ["2026-01-01", "mx", 3, 4],
      ]),
    ).toEqual({ type: "line", x: "day", y: ["n"], series: "country" });
    expect(suggestChart(cols(["country", "VARCHAR"], ["n", "BIGINT"]), [["es", 1]])).toEqual({ type: "bar", x: "country", y: ["n"] });
    expect(suggestChart(cols(["a", "VARCHAR"]), [["x"]])).toBeNull();
    expect(suggestChart(cols(["user_id", "BIGINT"], ["country", "VARCHAR"], ["score", "DOUBLE"]), [[1, "es", 2]])).toEqual({
      type: "bar",
      x: "country",
      y: ["score", "user_id"],
    });
  });
});

describe("ticks", () => {
  it("makes round ticks that cover the data", () => {
    expect(niceTicks(0, 97, 5)).toEqual({ min: 0, max: 100, ticks: [0, 25, 50, 75, 100], step: 25 });
    expect(niceTicks(0.1, 0.37, 4).ticks).toEqual([0.1, 0.2, 0.3, 0.4]);
    const flat = niceTicks(5, 5);
    expect(flat.min).toBeLessThan(5);
    expect(flat.max).toBeGreaterThan(5);
  });
  it("steps by a whole number over whole numbers (counts)", () => {
    // Counts of 1 to 3 on a bar chart (from 0): not 0, 0.5, 1, 1.5, ...
    expect(niceTicks(0, 2, 6)).toMatchObject({ ticks: [0, 0.5, 1, 1.5, 2], step: 0.5 });
    expect(niceTicks(0, 2, 6, true)).toEqual({ min: 0, max: 2, ticks: [0, 1, 2], step: 1 });
    expect(niceTicks(0, 3, 6, true).ticks).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 1, 4, true).ticks).toEqual([0, 1]);
    expect(niceTicks(1, 3, 6, true).ticks).toEqual([1, 2, 3]);
    // 2.5 is a nice step, but not between counts: 2 instead.
    expect(niceTicks(0, 10, 5, true).ticks).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 12, 6, true).ticks).toEqual([0, 2, 4, 6, 8, 10, 12]);
    // Larger whole steps stay as they were (25 is whole).
    expect(niceTicks(0, 97, 5, true).ticks).toEqual([0, 25, 50, 75, 100]);
    // One value (a line at 5), and none but zeros.
    expect(niceTicks(5, 5, 6, true).ticks).toEqual([4, 5, 6]);
    expect(niceTicks(0, 0, 6, true).ticks).toEqual([-1, 0, 1]);
    expect(niceTicks(-3, 2, 6, true).ticks).toEqual([-3, -2, -1, 0, 1, 2]);
  });
  it("makes nice, distinct, covering ticks, with distinct labels", () => {
    const nice = (step: number) => {
      const m = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      return [1, 2, 2.5, 5].some((f) => Math.abs(m - f) < 1e-9);
    };
    const cases: [number, number][] = [];
    for (const hi of [1, 2, 3, 4, 5, 7, 9, 10, 11, 13, 17, 24, 99, 101, 1234, 99999])
      for (const lo of [0, 1, -2, Math.floor(hi / 2), hi]) cases.push([lo, hi]);
    for (const [lo, hi] of cases)
      for (const count of [2, 3, 4, 6, 8])
        for (const integers of [false, true]) {
          const what = `niceTicks(${lo}, ${hi}, ${count}, ${integers})`;
          const r = niceTicks(lo, hi, count, integers);
          expect(r.min, what).toBeLessThanOrEqual(lo);
          expect(r.max, what).toBeGreaterThanOrEqual(hi);
          expect(r.ticks[0], what).toBe(r.min);
          expect(r.ticks[r.ticks.length - 1], what).toBe(r.max);
          expect(nice(r.step), `${what}: step ${r.step}`).toBe(true);
          expect(r.ticks.length, what).toBeLessThanOrEqual(2 * count + 1);
          if (integers) expect(r.ticks.every(Number.isInteger), `${what}: ${r.ticks}`).toBe(true);
          for (const locale of ["en", "es"] as const) {
            const labels = r.ticks.map((v) => axisNumber(v, r.step, locale));
            expect(new Set(labels).size, `${what}: ${labels}`).toBe(labels.length);
          }
        }
  });
  it("labels ticks with the step's decimals", () => {
    const label = (lo: number, hi: number, count: number) => {
      const r = niceTicks(lo, hi, count);
      return r.ticks.map((v) => axisNumber(v, r.step, "en"));
    };
    expect(label(0, 2, 6)).toEqual(["0", "0.5", "1", "1.5", "2"]);
    // Around 100 a 2.5 step keeps its decimal (not 100, 103, 105, 108, 110).
    expect(label(100, 110, 5)).toEqual(["100", "102.5", "105", "107.5", "110"]);
    expect(label(0, 0.001, 5)).toEqual(["0", "0.00025", "0.0005", "0.00075", "0.001"]);
    expect(label(0, 5000, 3)).toEqual(["0", "2,500", "5,000"]);
  });
  it("tells whole numbers", () => {
    expect(allIntegers([0, 1, 3, -2])).toBe(true);
    expect(allIntegers([1, 1.5])).toBe(false);
    expect(allIntegers([])).toBe(true);
  });
  it("makes calendar ticks", () => {
    const days = timeTicks(Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 5), 6);
    expect(days.unit).toBe("day");
    expect(days.ticks).toEqual([1, 2, 3, 4, 5].map((d) => Date.UTC(2026, 0, d)));
    const months = timeTicks(Date.UTC(2025, 0, 15), Date.UTC(2026, 0, 15), 6);
    expect(months.unit).toBe("month");
    expect(months.ticks[0]).toBe(Date.UTC(2025, 3, 1));
    expect(months.ticks.length).toBeLessThanOrEqual(6);
    expect(timeTicks(Date.UTC(2000, 0, 1), Date.UTC(2026, 0, 1), 6).unit).toBe("year");
    // A month on a narrow chart: more than one tick.
    expect(timeTicks(Date.UTC(2026, 9, 26), Date.UTC(2026, 10, 24), 2).ticks.length).toBeGreaterThanOrEqual(2);
  });
});

describe("axis labels", () => {
  const events = [
    "course_published",
    "signed_up",
    "enrolled",
    "item_opened",
    "video_paused",
    "video_completed",
    "quiz_submitted",
    "course_imported",
    "video_played",
    "question_answered",
    "page_viewed",
    "query_ran",
    "item_completed",
  ];

  it("estimates text widths, wide letters wider", () => {
    expect(estimateTextWidth("")).toBe(0);
    expect(estimateTextWidth("iiii")).toBeLessThan(estimateTextWidth("aaaa"));
    expect(estimateTextWidth("aaaa")).toBeLessThan(estimateTextWidth("MMMM"));
    expect(estimateTextWidth("MMMM")).toBeLessThan(estimateTextWidth("課程課程"));
    expect(estimateTextWidth("abc", 24)).toBe(2 * estimateTextWidth("abc", 12));
  });

  it("fits text with an ellipsis", () => {
    const m = (s: string) => Array.from(s).length * 10;
    expect(fitText("course_published", 160, m)).toBe("course_published");
    expect(fitText("course_published", 100, m)).toBe("course_pu…");
    // No space before the ellipsis.
    expect(fitText("video played twice", 70, m)).toBe("video…");
    expect(fitText("course_published", 10, m)).toBe("…");
    expect(fitText("course_published", 9, m)).toBe("");
    expect(fitText("😀😀😀😀", 30, m)).toBe("😀😀…");
    for (let w = 0; w < 200; w += 7) expect(estimateTextWidth(fitText("question_answered_twice", w))).toBeLessThanOrEqual(w);
  });

  it("keeps a level label inside the chart", () => {
    expect(clampCenter(100, 40, 0, 300)).toBe(100);
    expect(clampCenter(5, 40, 0, 300)).toBe(20);
    expect(clampCenter(295, 40, 0, 300)).toBe(280);
    expect(clampCenter(10, 400, 0, 300)).toBe(150);
  });

  it("lays short labels level, without changing the margins", () => {
    const a = categoryAxis({ labels: ["es", "en", "mx"], width: 640, height: 320, left: 46, right: 16 });
    expect(a).toMatchObject({ left: 46, bottom: LEVEL_BOTTOM, rotate: false });
    expect(a.ticks.map((t) => t.label)).toEqual(["es", "en", "mx"]);
  });

  it("rotates long labels and keeps them whole on a wide chart", () => {
    const a = categoryAxis({ labels: events, width: 1240, height: 320, left: 46, right: 16 });
    expect(a.rotate).toBe(true);
    expect(a.ticks.map((t) => t.label)).toEqual(events);
    expect(a.left).toBeLessThan(100);
    expect(a.bottom).toBeLessThanOrEqual(160);
  });

  it("makes room on a phone for the first rotated labels (course_published, not ourse_published)", () => {
    const a = categoryAxis({ labels: events, width: 314, height: 260, left: 46, right: 16 });
    expect(a.rotate).toBe(true);
    expect(a.left).toBeGreaterThan(46);
    const band = (314 - a.left - 16) / events.length;
    for (const t of a.ticks) {
      const anchor = a.left + (t.index + 0.5) * band;
      expect(anchor - rotatedExtent(estimateTextWidth(t.label)).left).toBeGreaterThanOrEqual(0);
    }
    expect(a.ticks[0]!.label).toBe("course_published");
  });

  it("cuts labels too long for the room with an ellipsis, keeping the whole text", () => {
    const long = "a category label far longer than any axis could hold";
    const level = categoryAxis({ labels: [long, "b"], width: 1240, height: 320, left: 46, right: 16 });
    expect(level.rotate).toBe(false);
    expect(level.ticks[0]!.label).toMatch(/^a category label.*…$/);
    const a = categoryAxis({ labels: [long, ...events], width: 1240, height: 320, left: 46, right: 16 });
    expect(a.rotate).toBe(true);
    expect(a.ticks[0]!.full).toBe(long);
    expect(a.ticks[0]!.label).toMatch(/^a category label.*…$/);
    expect(estimateTextWidth(a.ticks[0]!.label)).toBeLessThanOrEqual(MAX_LABEL_WIDTH);
  });

  it("never lets a rotated label past the left edge or into the title, at any width", () => {
    const sets = [
      events,
      events.map((e) => e.toUpperCase()),
      ["Wolfgang Amadeus Mozart Wolfgang", "x", "MMMMMMMMMMMMMMMMMMMMMMMM", ...events],
      Array.from({ length: 120 }, (_, i) => `learner_${i}@example.org`),
      ["課程ダッシュボードの閲覧数", "短い", "講座"],
    ];
    for (const labels of sets)
      for (let width = 200; width <= 1600; width += 37)
        for (const height of [260, 320]) {
          const left = 46;
          const a = categoryAxis({ labels, width, height, left, right: 16 });
          expect(a.left).toBeGreaterThanOrEqual(left);
          expect(a.left).toBeLessThanOrEqual(Math.max(left, Math.round(width * 0.3)));
          expect(a.bottom).toBeLessThanOrEqual(Math.max(LEVEL_BOTTOM, height / 2));
          const band = (width - a.left - 16) / labels.length;
          const plotBottom = height - a.bottom;
          let last = -Infinity;
          for (const t of a.ticks) {
            expect(t.full).toBe(labels[t.index]);
            expect(t.label === t.full || (t.label.endsWith("…") && t.full.startsWith(t.label.slice(0, -1)))).toBe(true);
            const anchor = a.left + (t.index + 0.5) * band;
            const w = estimateTextWidth(t.label);
            if (a.rotate) {
              const r = rotatedExtent(w);
              expect(anchor - r.left).toBeGreaterThanOrEqual(0);
              // Above the x axis title, whose baseline is 6 px from the bottom.
              expect(plotBottom + LABEL_DY + r.down).toBeLessThanOrEqual(height - 20);
              expect(anchor - last).toBeGreaterThanOrEqual(16);
            } else {
              expect(anchor - w / 2).toBeGreaterThanOrEqual(a.left);
              expect(w).toBeLessThanOrEqual(band);
            }
            last = anchor;
          }
        }
  });
});
