#!/usr/bin/env node
// Builds every web app in parallel, each into dist/<app>/.
//
//   node build.mjs            every app under apps/
//   node build.mjs learn      only the named apps
//
// The API types are generated once from ../httpapi/openapi.yaml first. A
// failing app does not stop the others; the summary lists each app's result
// and its sizes, and the exit code is 1 if any app failed. An app whose
// package.json sets "lyceum": {"budgetGzipKB": N} fails when the JavaScript
// its first page load fetches is over N KB gzipped.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { appInfo } from "./vite.app.mjs";

const webDir = dirname(fileURLToPath(import.meta.url));
const bin = (name) => join(webDir, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name);

function run(cmd, args, cwd) {
  return new Promise((resolve) => {
    const start = Date.now();
    let out = "";
    const child = spawn(cmd, args, { cwd, env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", (err) => resolve({ code: 1, out: out + String(err), ms: Date.now() - start }));
    child.on("close", (code) => resolve({ code: code ?? 1, out, ms: Date.now() - start }));
  });
}

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (bytes) => (bytes / 1024).toFixed(1);

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/**
 * Sizes of a built app: the JavaScript index.html loads up front (its
 * module scripts and modulepreloads), all JavaScript, and all CSS, gzipped.
 */
export function measure(outDir, base) {
  const html = readFileSync(join(outDir, "index.html"), "utf8");
  const refs = new Set();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)) refs.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) refs.add(m[1]);
  for (const m of html.matchAll(/<link[^>]*href="([^"]+\.js)"[^>]*rel="modulepreload"/g)) refs.add(m[1]);
  let initialJs = 0;
  for (const ref of refs) {
    const rel = ref.startsWith(base) ? ref.slice(base.length) : ref.replace(/^\//, "");
    initialJs += gz(join(outDir, rel));
  }
  const files = walk(outDir);
  const sum = (ext) => files.filter((f) => f.endsWith(ext)).reduce((n, f) => n + gz(f), 0);
  return { initialJs, allJs: sum(".js"), css: sum(".css"), entries: refs.size };
}

async function buildApp(name) {
  const dir = join(webDir, "apps", name);
  const info = appInfo(dir);
  const res = await run(bin("vite"), ["build", "--logLevel", "warn"], dir);
  const result = { name, base: info.base, ms: res.ms, ok: res.code === 0, out: res.out, problem: "" };
  if (!result.ok) {
    result.problem = "vite build failed";
    return result;
  }
  const outDir = join(webDir, "dist", name);
  try {
    result.sizes = measure(outDir, info.base);
  } catch (err) {
    result.ok = false;
    result.problem = `could not measure the build: ${err.message}`;
    return result;
  }
  if (info.budgetGzipKB != null && result.sizes.initialJs > info.budgetGzipKB * 1024) {
    result.ok = false;
    result.problem = `first-load JavaScript is ${kb(result.sizes.initialJs)} KB gzipped, over the budget of ${info.budgetGzipKB} KB`;
  }
  result.budget = info.budgetGzipKB;
  return result;
}

async function main() {
  const all = readdirSync(join(webDir, "apps")).filter((d) => existsSync(join(webDir, "apps", d, "package.json"))).sort();
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const unknown = wanted.filter((a) => !all.includes(a));
  if (unknown.length) {
    console.error(`unknown app(s): ${unknown.join(", ")}; the apps are: ${all.join(", ")}`);
    process.exit(2);
  }
  const apps = wanted.length ? wanted : all;

  const gen = await run(bin("openapi-typescript"), ["../../../httpapi/openapi.yaml", "--output", "src/api/schema.gen.ts"], join(webDir, "packages", "ui"));
  if (gen.code !== 0) {
    process.stdout.write(gen.out);
    console.error("\nbuild: generating the API types from httpapi/openapi.yaml failed; no app was built");
    process.exit(1);
  }

  console.log(`build: ${apps.length} app(s) in parallel: ${apps.join(", ")}`);
  const started = Date.now();
  const results = await Promise.all(
    apps.map((a) =>
      buildApp(a).then((r) => {
        console.log(`build: ${r.name} ${r.ok ? "done" : "FAILED"} in ${(r.ms / 1000).toFixed(1)}s`);
        return r;
      }),
    ),
  );

  for (const r of results) {
    if (!r.ok || r.out.trim()) {
      console.log(`\n----- ${r.name} -----`);
      if (r.out.trim()) console.log(r.out.trim());
      if (r.problem) console.log(`${r.name}: ${r.problem}`);
    }
  }

  const w = Math.max(8, ...results.map((r) => r.name.length + 1));
  console.log(`\n${"app".padEnd(w)} result  time    first-load JS (gzip)  all JS (gzip)  CSS (gzip)  base`);
  for (const r of results) {
    const s = r.sizes;
    const first = s ? `${kb(s.initialJs)} KB${r.budget != null ? ` / ${r.budget} KB` : ""}` : "-";
    console.log(
      [
        r.name.padEnd(w),
        (r.ok ? "ok" : "FAILED").padEnd(7),
        `${(r.ms / 1000).toFixed(1)}s`.padEnd(7),
        first.padEnd(21),
        (s ? `${kb(s.allJs)} KB` : "-").padEnd(14),
        (s ? `${kb(s.css)} KB` : "-").padEnd(11),
        r.base,
      ].join(" "),
    );
  }
  const failed = results.filter((r) => !r.ok);
  console.log(
    `\nbuild: ${results.length - failed.length} of ${results.length} app(s) built in ${((Date.now() - started) / 1000).toFixed(1)}s` +
      (failed.length ? `; failed: ${failed.map((r) => r.name).join(", ")}` : ""),
  );
  process.exit(failed.length ? 1 : 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
