import { defineConfig } from "vitest/config";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic" } },
  test: {
    include: ["packages/*/src/**/*.test.{ts,tsx}", "apps/*/src/**/*.test.{ts,tsx}"],
    environment: "node",
    // CI's 2 cores are shared with the Go tests and a database: the first test
    // of a file (its imports) can take well over the default 5 s there.
    testTimeout: 60_000,
  },
});
