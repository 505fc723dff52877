// The Vite config every app shares. An app's vite.config.ts is just
//   export default appConfig(import.meta.url)
// and its package.json says where it is served ("lyceum.base").
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = dirname(fileURLToPath(import.meta.url));

/** Reads apps/<name>/package.json's "lyceum" block. */
export function appInfo(appDir) {
  const pkg = JSON.parse(readFileSync(join(appDir, "package.json"), "utf8"));
  const name = appDir.split(/[\\/]/).filter(Boolean).pop();
  const base = pkg.lyceum?.base ?? `/${name}/`;
  return { name, base, budgetGzipKB: pkg.lyceum?.budgetGzipKB ?? null };
}

export function appConfig(configUrl) {
  const root = dirname(fileURLToPath(configUrl));
  const { name, base } = appInfo(root);
  return {
    root,
    base,
    // Vite 8 compiles TSX with Oxc: React's automatic JSX runtime.
    oxc: { jsx: { runtime: "automatic" } },
    build: {
      outDir: resolve(webDir, "dist", name),
      emptyOutDir: true,
      target: "es2020",
      sourcemap: false,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 400,
    },
    server: {
      // `npm run dev`: the Go server on :8080 answers the API.
      proxy: { "/api": process.env.LYCEUM_API ?? "http://127.0.0.1:8080" },
    },
    preview: {
      proxy: { "/api": process.env.LYCEUM_API ?? "http://127.0.0.1:8080" },
    },
  };
}
