import { describe, expect, it } from "vitest";
import { catalogProblems, LOCALES } from "@lyceum/ui";
import { catalogs } from "./i18n";

// The source of this app and of the shared UI, to find the keys they use.
const sources: Record<string, string> = {
  ...import.meta.glob(["./**/*.{ts,tsx}", "!./**/*.test.ts", "!./messages.ts"], { query: "?raw", import: "default", eager: true }),
  ...import.meta.glob(["../../../packages/ui/src/**/*.{ts,tsx}", "!**/*.test.ts", "!**/*.gen.ts"], {
    query: "?raw",
    import: "default",
    eager: true,
  }),
};

describe("admin messages", () => {
  it("are complete in every shipped locale", () => {
    expect(LOCALES).toContain("es");
    expect(catalogProblems(catalogs)).toEqual([]);
  });

  it("define every key the code uses", () => {
    const used = new Set<string>();
    for (const text of Object.values(sources)) {
      for (const m of text.matchAll(/\bt\(\s*"([^"]+)"/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    const en: Record<string, string> = catalogs.en;
    const missing = [...used].filter((k) => !(k in en) && !(`${k}_other` in en));
    expect(missing).toEqual([]);
  });
});
