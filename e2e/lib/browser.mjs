// What every browser test shares: headless Chromium (Debian's, driven by
// playwright-core), a fresh context per test with its log kept for the
// failure report, screenshots, polling, signing up and in, the check that a
// page doesn't scroll sideways, and the accessibility check (axe-core) of
// every page a test visits.
//
// The tests run under scripts/e2e.sh, which starts the server and sets
// LYCEUM_URL (and the analysts' accounts: see scripts/e2e.sh).

import { after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const BASE = process.env.LYCEUM_URL;
if (!BASE) throw new Error("LYCEUM_URL is not set: run the browser tests with scripts/e2e.sh");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const SHOTS = process.env.E2E_SCREENSHOTS || join(dirname(fileURLToPath(import.meta.url)), "..", "screenshots");
mkdirSync(SHOTS, { recursive: true });

// Timeouts are generous: CI runs on a 2-core machine with the server beside the browser.
export const ACTION_TIMEOUT = 30_000;
export const TEST_TIMEOUT = 240_000;

let browser;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** The impacts that fail a test; moderate and minor ones are only reported. */
const FAILING_IMPACTS = new Set(["serious", "critical"]);

/**
 * Runs axe-core (injected into the page) on the page as it is now; returns
 * its violations, each with the rule, impact, help and the elements.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    // CodeMirror's completion list is worked from the editor, which keeps
    // the focus and points at the option (aria-activedescendant): the list
    // itself is not meant to take the focus, so axe's "scrollable region
    // must be focusable" does not apply to it.
    const completionList = (n) => document.querySelector(n.target[0])?.closest(".cm-tooltip-autocomplete");
    for (const v of r.violations) if (v.id === "scrollable-region-focusable") v.nodes = v.nodes.filter((n) => !completionList(n));
    return r.violations.filter((v) => v.nodes.length).map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`),
    }));
  });
}

/** Each open page's accessibility check (open's a11y), for the helpers below. */
const checks = new WeakMap();

/** The accessibility check of a page made by open (see a11y there). */
export function checkA11y(page, what) {
  const check = checks.get(page);
  if (!check) throw new Error("checkA11y: the page was not made by open()");
  return check(what);
}

/** A page's path for the list of pages checked: query strings and fragments aside. */
const pathOf = (url) => {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
};

/** Launches Chromium before this file's tests and closes it after them. */
export function useBrowser() {
  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-quic",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    });
  });
  after(async () => {
    await browser?.close();
  });
}

/**
 * A fresh browser context (its own cookies) at the given size, with what
 * the page logs kept for the failure report. Uncaught page errors fail the
 * test. Screenshots are named NAME-NN-STEP.png.
 */
export async function open(t, { name, width, height }) {
  const context = await browser.newContext({
    viewport: { width, height },
    locale: "en-US",
    timezoneId: "UTC",
    baseURL: BASE,
  });
  context.setDefaultTimeout(ACTION_TIMEOUT);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT);
  const page = await context.newPage();
  const log = [];
  const pageErrors = [];
  page.on("console", (m) => log.push(`console.${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => {
    log.push(`pageerror: ${e.stack || e.message}`);
    pageErrors.push(e);
  });
  page.on("requestfailed", (r) => {
    // A video element cancels range requests it no longer needs: not a failure.
    if (r.resourceType() !== "media") log.push(`requestfailed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ""}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) log.push(`http ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  // Every page the test visits (client-side navigations too) must have been
  // checked for accessibility before the test ends.
  const visited = new Set();
  const checked = new Set();
  page.on("framenavigated", (f) => {
    if (f === page.mainFrame() && f.url().startsWith(BASE)) visited.add(pathOf(f.url()));
  });
  /**
   * The accessibility check of the page as it is now: fails on serious and
   * critical violations (moderate and minor ones go to the test's log).
   */
  const a11y = async (what) => {
    const all = await axeViolations(page);
    checked.add(pathOf(page.url()));
    const failing = all.filter((v) => FAILING_IMPACTS.has(v.impact));
    for (const v of all.filter((x) => !FAILING_IMPACTS.has(x.impact)))
      t.diagnostic(`axe (${name}, ${what}): ${v.impact} ${v.id}: ${v.help} (${v.nodes.length})`);
    assert.deepEqual(
      failing.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 5).join("\n    ")}`),
      [],
      `${what} (${page.url()}) has serious accessibility violations (axe-core)`,
    );
  };
  checks.set(page, a11y);
  let n = 0;
  /**
   * Saves a screenshot as screenshots/NAME-NN-STEP.png (the whole page, just
   * the viewport, or one element: of) after the accessibility check of the
   * page as it is. The check runs the first time a page (its path) is shot
   * in this test; a11y: true runs it on this state too (a dialog, a popup,
   * something drawn since), a11y: false leaves it out. An axe run costs a
   * few seconds of CPU on CI.
   */
  const shot = async (step, { fullPage = true, of, a11y: check = "new page" } = {}) => {
    if (check === true || (check === "new page" && !checked.has(pathOf(page.url())))) await a11y(step);
    n++;
    const path = join(SHOTS, `${name}-${String(n).padStart(2, "0")}-${step}.png`);
    // A whole-page shot of a scrolled page draws the sticky header part way down: from the top.
    if (fullPage || of) await page.evaluate(() => window.scrollTo(0, 0));
    // An element is cut out of the whole page, where the sticky header does not cover it.
    const clip = of ? await of.boundingBox() : undefined;
    await page.screenshot({ path, fullPage: fullPage || !!of, clip, animations: "disabled" });
    return path;
  };
  /** Runs the test body; on failure, saves a screenshot and prints the page's log. */
  const run = async (body) => {
    try {
      await body();
      assert.deepEqual(
        pageErrors.map((e) => e.message),
        [],
        "the page threw uncaught errors",
      );
      assert.deepEqual(
        [...visited].filter((p) => !checked.has(p)),
        [],
        "pages this test visited without an accessibility check (call shot or a11y on them)",
      );
    } catch (err) {
      try {
        t.diagnostic(`failure screenshot (${name}): ${await shot("FAILED")}`);
      } catch {
        // The page may be gone.
      }
      t.diagnostic(`page URL (${name}): ${page.url()}`);
      for (const line of log.slice(-40)) t.diagnostic(line);
      throw err;
    } finally {
      await context.close();
    }
  };
  return { context, page, shot, a11y, run, log };
}

/** Polls fn until it returns a truthy value, or fails after timeout with message. */
export async function waitUntil(fn, message, timeout = ACTION_TIMEOUT) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms: ${message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let accounts = 0;
/** Signs a new learner up through the sign-up page; returns their name. */
export async function signUp(page, shot) {
  const stamp = `${Date.now().toString(36)}${process.pid}${++accounts}`;
  const name = `Ada Learner ${accounts}`;
  await page.goto("/signup");
  await page.getByRole("heading", { level: 1, name: "Create your account" }).waitFor();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Email", { exact: true }).fill(`ada+${stamp}@example.org`);
  await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
  if (shot) await shot("signup");
  else await checkA11y(page, "the sign-up page");
  await page.getByRole("button", { name: "Create account" }).click();
  // Signed up and signed in: back at the catalog, with the name in the header.
  // A refusal shows an alert instead: fail at once with its words.
  const refused = await Promise.race([
    page.waitForURL((u) => u.pathname === "/").then(() => null),
    page.getByRole("alert").first().waitFor().then(() => page.getByRole("alert").first().textContent()),
  ]);
  assert.equal(refused, null, `sign-up was refused: ${refused}`);
  await page.getByText(`Signed in as ${name}`).waitFor({ state: "attached" });
  await page.getByRole("button", { name: "Log out" }).waitFor();
  await checkA11y(page, "the catalog, signed in");
  return name;
}

/**
 * Fills in the learner site's login form (the page must be on /login) and
 * waits until it has gone on to its ?next= page, matched by the predicate.
 */
export async function logIn(page, { email, password }, next) {
  await page.getByRole("heading", { level: 1, name: "Log in" }).waitFor();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await checkA11y(page, "the login page");
  await page.getByRole("main").getByRole("button", { name: "Log in" }).click();
  const refused = await Promise.race([
    page.waitForURL(next).then(() => null),
    page.getByRole("alert").first().waitFor().then(() => page.getByRole("alert").first().textContent()),
  ]);
  assert.equal(refused, null, `login as ${email} was refused: ${refused}`);
}

/** Horizontal overflow of the page, with the elements sticking out (for the message). */
export function horizontalOverflow(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const width = doc.clientWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.right > width + 1 || r.left < -1)) {
        const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "";
        wide.push(`${el.tagName.toLowerCase()}${cls} [${Math.round(r.left)}..${Math.round(r.right)}]`);
      }
    }
    return { scrollWidth: Math.max(doc.scrollWidth, document.body.scrollWidth), clientWidth: width, wide: wide.slice(0, 10) };
  });
}

/** Fails unless the page fits its width (what sticks out is in the message). */
export async function assertNoSidewaysScroll(page, what) {
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `${what} scrolls sideways: ${o.scrollWidth} > ${o.clientWidth}: ${o.wide.join(", ")}`);
}
