import { describe, expect, it } from "vitest";
import { catalogProblems, LOCALES } from "@lyceum/ui";
import { catalogs } from "./i18n";
import { en, es } from "./messages";
import { CHART_TYPES } from "./lib/chart";

// The source of this app and of the shared UI, to find the keys they use.
const sources: Record<string, string> = {
  ...import.meta.glob(["./**/*.{ts,tsx}", "!./**/*.test.ts", "!./messages.ts"], { query: "?raw", import: "default", eager: true }),
  ...import.meta.glob(["../../../packages/ui/src/**/*.{ts,tsx}", "!**/*.test.ts", "!**/*.gen.ts"], {
    query: "?raw",
    import: "default",
    eager: true,
  }),
};

describe("data messages", () => {
  it("are complete in every shipped locale", () => {
    expect(LOCALES).toContain("es");
    expect(catalogProblems(catalogs)).toEqual([]);
  });

  it("has every English key in Spanish, and no other", () => {
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
  });

  it("define every key the code uses", () => {
    const used = new Set<string>();
    for (const text of Object.values(sources)) {
      // t("key"), and keys picked by a condition: t(cond ? "a" : "b").
      for (const m of text.matchAll(/\bt\(\s*"([^"]+)"/g)) used.add(m[1]!);
      for (const m of text.matchAll(/\bt\([^()"]*\?\s*"([^"]+)"\s*:\s*"([^"]+)"/g)) {
        used.add(m[1]!);
        used.add(m[2]!);
      }
    }
    // Keys built from values.
    for (const ty of CHART_TYPES) used.add(`chart.type.${ty}`);
    for (const s of ["queued", "running", "succeeded", "failed", "canceled"]) used.add(`runStatus.${s}`);
    for (const c of ["not_read_only", "invalid", "timeout", "too_large", "canceled", "internal"]) used.add(`runError.${c}`);
    for (const v of ["private", "organization"]) used.add(`visibility.${v}`);
    expect(used.size).toBeGreaterThan(150);
    const all: Record<string, string> = catalogs.en;
    const missing = [...used].filter((k) => !(k in all) && !(`${k}_other` in all));
    expect(missing).toEqual([]);
  });

  it("fills plurals and placeholders", async () => {
    const { translator } = await import("@lyceum/ui");
    const tEn = translator(catalogs, "en");
    const tEs = translator(catalogs, "es");
    expect(tEn("run.ahead", { count: 1 })).toBe("Queued: 1 query ahead of you");
    expect(tEn("run.ahead", { count: 3 })).toBe("Queued: 3 queries ahead of you");
    expect(tEs("run.rows", { count: 1234 })).toBe("1234 filas");
    expect(tEn("editor.hint", { keys: "Ctrl Enter" })).toContain("{{name}}");
  });
});
