// The query page (/data/) through the real server in headless Chromium: an
// analyst logs in through the learner site, writes a query with the editor's
// completion, runs it, draws it as a bar chart, saves it for the
// organization; another analyst opens its address and sees the same chart
// and rows, on a 375 px wide phone too. A learner is told the page is not for
// them, and an instructor sees their own course's data only.
//
// Run by scripts/e2e.sh, which starts the server, creates the two analysts
// (E2E_ANALYST1_EMAIL, E2E_ANALYST2_EMAIL, E2E_ANALYST_PASSWORD_FILE) and
// loads simulated learner activity into the warehouse before the tests.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TEST_TIMEOUT, assertNoSidewaysScroll, logIn, open, signUp, useBrowser, waitUntil } from "../lib/browser.mjs";

function account(emailVar) {
  const email = process.env[emailVar];
  const file = process.env.E2E_ANALYST_PASSWORD_FILE;
  if (!email || !file) throw new Error(`${emailVar} is not set: run the browser tests with scripts/e2e.sh`);
  return { email, password: readFileSync(file, "utf8").split("\n")[0] };
}

function analyst(n) {
  return account(`E2E_ANALYST${n}_EMAIL`);
}

// What the analyst means to write: enrollments per day, as a bar per day.
const SQL = "select strftime(enrolled_at, '%Y-%m-%d') as day, count(*) as learners from enrollments group by day order by day";
const TITLE = "Enrollments per day";
const DESCRIPTION = "New enrollments in every course, by the day (UTC) they enrolled.";

useBrowser();

/** The editor's text box (CodeMirror's content element, labelled "SQL query"). */
function editor(page) {
  return page.getByRole("textbox", { name: "SQL query" });
}

/** The editor's whole text, line by line (without the placeholder an empty editor shows). */
function editorText(page) {
  return editor(page).evaluate((el) =>
    [...el.querySelectorAll(".cm-line")]
      .map((line) => {
        const copy = line.cloneNode(true);
        for (const p of copy.querySelectorAll(".cm-placeholder")) p.remove();
        return copy.textContent;
      })
      .join("\n"),
  );
}

/** The completion popup of the editor. */
function completions(page) {
  return page.getByRole("listbox", { name: "Completions" });
}

/**
 * Goes to a data app page signed out, follows its "Log in" link to the
 * learner site's login and comes back to the same page signed in.
 */
async function logInThroughDataApp(page, path, who, shot) {
  await page.goto(path);
  await page.getByRole("heading", { level: 1, name: "Log in to use the query page" }).waitFor();
  const link = page.getByTestId("login-link");
  assert.equal(await link.getAttribute("href"), `/login?next=${encodeURIComponent(path)}`);
  if (shot) await shot("signed-out");
  await link.click();
  await page.waitForURL((u) => u.pathname === "/login");
  await logIn(page, who, (u) => u.pathname === path);
  await page.getByRole("button", { name: "Log out" }).waitFor();
}

/** Waits for the run on screen to succeed (failing at once with the error if it fails); returns "N rows". */
async function runSucceeded(page) {
  const done = page.locator('[data-testid="run-state"][data-status="succeeded"]');
  const failed = page.getByTestId("run-error").or(page.getByTestId("run-start-error"));
  await done.or(failed).first().waitFor({ timeout: 60_000 });
  if (await failed.count()) assert.fail(`the run failed: ${await failed.first().innerText()}`);
  return (await done.getByRole("status").textContent()).trim();
}

/** The id of the run whose result is on screen (its CSV link names it). */
async function runId(page) {
  const csv = page.getByTestId("csv");
  if (!(await csv.count())) return null;
  return (await csv.getAttribute("href")).match(/runs\/([^/]+)\/csv/)?.[1] ?? null;
}

/** The result grid's column names and its rows as text (the row number column left out). */
async function gridContents(page) {
  const grid = page.getByTestId("result-grid");
  await grid.waitFor();
  await page.locator('[data-testid="result-grid"][aria-busy="false"]').waitFor();
  return grid.evaluate((el) => ({
    columns: [...el.querySelectorAll("thead th .col-name")].map((c) => c.textContent),
    rows: [...el.querySelectorAll("tbody tr")].map((r) => [...r.querySelectorAll("td:not(.rownum)")].map((c) => c.textContent)),
  }));
}

/** The chart as drawn and as its data table says: its summary, bars, x labels and the table's rows. */
async function chartContents(page) {
  const figure = page.getByRole("figure");
  await figure.waitFor();
  const summary = await figure.getAttribute("aria-labelledby").then((id) => page.locator(`[id="${id}"]`).textContent());
  const svg = figure.locator("svg.chart-svg");
  const bars = await svg.locator("g[fill] > rect").count();
  const ticks = await svg.locator("text.tick").allTextContents();
  // The chart's data as a table: the accessible fallback, behind a disclosure.
  const details = figure.locator("details.chart-table");
  if (!(await details.evaluate((d) => d.open))) await figure.getByText("Show the chart's data as a table").click();
  const table = figure.getByRole("region", { name: "Show the chart's data as a table" }).getByRole("table");
  await table.waitFor();
  const head = await table.locator("thead th").allTextContents();
  const rows = await table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  return { summary, bars, ticks, table: { head, rows } };
}

describe("query page", { timeout: 3 * TEST_TIMEOUT }, () => {
  test("an analyst writes a query with completion, charts it, shares it; another analyst sees the same", async (t) => {
    const owner = analyst(1);
    const viewer = analyst(2);
    let queryPath;
    let seen;

    // The first analyst, on a desktop.
    {
      const { page, shot, run } = await open(t, { name: "query-owner", width: 1280, height: 900 });
      await run(async () => {
        await logInThroughDataApp(page, "/data/", owner, shot);
        await page.getByTestId("ws-title").getByText("New query").waitFor();
        const box = editor(page);
        await box.waitFor();
        assert.equal(await editorText(page), "", "a new query starts empty");
        await shot("editor", { a11y: true });

        // "enro" and Enter: the popup offers the table, and Enter takes it.
        await box.click();
        // Typing is slow through the browser's input events (some 150 ms a
        // key on CI): what no key's behaviour is checked on is inserted whole.
        await page.keyboard.insertText("select * from ");
        await page.keyboard.type("enro");
        const popup = completions(page);
        const table = popup.getByRole("option", { name: /^enrollments/ });
        await table.waitFor();
        assert.equal(await table.getAttribute("aria-selected"), "true", "the table is the first completion, selected");
        assert.match(await table.textContent(), /table$/, "the completion says it is a table");
        await shot("completion-table", { fullPage: false, a11y: true });
        await page.keyboard.press("Enter");
        await popup.waitFor({ state: "detached" });
        // Enter went to the popup: the name is complete and no new line was started.
        assert.equal(await editorText(page), "select * from enrollments");

        // Now the columns of enrollments complete: replace * with the day of enrolled_at, picking the column by mouse.
        await page.keyboard.press("Home");
        for (let i = 0; i < "select ".length; i++) await page.keyboard.press("ArrowRight");
        await page.keyboard.press("Delete");
        await page.keyboard.insertText("strftime");
        await page.keyboard.type("(enrol");
        const column = popup.getByRole("option", { name: /^enrolled_at/ });
        await column.waitFor();
        assert.match(await column.textContent(), /TIMESTAMP/, "the column completion shows its type");
        await shot("completion-column", { fullPage: false });
        await column.click();
        await popup.waitFor({ state: "detached" });
        // Brackets and quotes close themselves as they are typed.
        await page.keyboard.type(", '%Y-%m-%d')");
        await page.keyboard.insertText(" as day, count(*) as learners");
        await page.keyboard.press("End");
        await page.keyboard.insertText(" group by day order by day");
        // A popup may be open for the last word: close it rather than let it take the next key.
        await page.keyboard.press("Escape");
        assert.equal(await editorText(page), SQL, "the editor holds the query as typed and completed");

        // Run it.
        await page.getByRole("button", { name: "Run", exact: true }).click();
        const rowsSaid = await runSucceeded(page);
        await page.waitForURL(/\/data\/runs\/[0-9a-f-]+$/);
        const result = await gridContents(page);
        assert.deepEqual(result.columns, ["day", "learners"]);
        assert.ok(result.rows.length >= 2, `the simulated learners enrolled on at least two days: ${JSON.stringify(result.rows)}`);
        assert.equal(rowsSaid, `${result.rows.length} rows`);
        for (const [day, n] of result.rows) {
          assert.match(day, /^\d{4}-\d{2}-\d{2}$/);
          assert.match(n, /^[1-9]\d*$/);
        }
        await shot("result");

        // A bar chart: learners by day.
        const chartCard = page.locator(".chart-card");
        await chartCard.getByRole("button", { name: "Add a chart" }).click();
        await chartCard.getByRole("radio", { name: "Bar" }).check();
        await chartCard.getByLabel("X axis").selectOption("day");
        const y = chartCard.getByRole("group", { name: "Y axis (values)" });
        for (const check of await y.getByRole("checkbox").all()) {
          const name = await check.evaluate((c) => c.labels[0].textContent.trim());
          if (name === "learners") await check.check();
          else await check.uncheck();
        }
        await chartCard.getByRole("figure", { name: `Bar chart of learners by day, ${result.rows.length} points.` }).waitFor();
        const chart = await chartContents(page);
        assert.equal(chart.bars, result.rows.length, "one bar per row");
        assert.deepEqual(
          chart.table.rows,
          result.rows.map(([day, n]) => [day, n]),
          "the chart's table has the result's days and counts",
        );
        for (const [day] of result.rows) assert.ok(chart.ticks.includes(day), `the x axis labels ${day}: ${chart.ticks.join(", ")}`);
        await shot("chart", { a11y: true });

        // Save it for the organization.
        await page.getByTestId("save-query").click();
        const dialog = page.getByRole("dialog", { name: "Save query" });
        await dialog.waitFor();
        await dialog.getByLabel("Title").fill(TITLE);
        await dialog.getByLabel("Description").fill(DESCRIPTION);
        await dialog.getByRole("radio", { name: /^Organization/ }).check();
        await shot("save-dialog", { fullPage: false, a11y: true });
        await dialog.getByRole("button", { name: "Save", exact: true }).click();
        await page.waitForURL(/\/data\/q\/[0-9a-f-]+$/);
        await dialog.waitFor({ state: "detached" });
        queryPath = new URL(page.url()).pathname;
        await page.getByRole("heading", { level: 1, name: TITLE }).waitFor();
        await page.getByText("Organization", { exact: true }).waitFor();
        await page.getByText(DESCRIPTION).waitFor();
        assert.equal(await page.getByTestId("unsaved").count(), 0, "nothing unsaved right after saving");
        await runSucceeded(page);
        assert.deepEqual(await chartContents(page), chart, "the saved query shows the chart just drawn");
        await shot("saved");

        // The second analyst opens the address they were sent.
        const viewing = await open(t, { name: "query-viewer", width: 1280, height: 900 });
        await viewing.run(async () => {
          const other = viewing.page;
          await logInThroughDataApp(other, queryPath, viewer);
          await other.getByRole("heading", { level: 1, name: TITLE }).waitFor();
          await other.getByText("You can run and fork this query; only its owner can change it.").waitFor();
          const history = other.getByRole("region", { name: "Runs of this query" });
          await history.getByRole("table").or(history.getByText("No runs yet.")).first().waitFor();
          await viewing.shot("shared-as-saved");
          await t.test(
            "the query's result is shared with it as saved (no run needed)",
            async () => {
              const shown = await other.getByTestId("run-state").waitFor({ timeout: 3000 }).then(
                () => true,
                () => false,
              );
              const runs = await history.getByRole("row").count();
              // Without a stack: this is the page's behaviour, not the test's.
              if (!shown) throw Object.assign(new Error(), { stack: `the other analyst sees no result; the query's runs: ${runs ? runs - 1 : "none"}` });
            },
          );

          // The owner runs the saved query: now it has a result of its own.
          const scratchRun = await runId(page);
          await page.getByRole("button", { name: "Run", exact: true }).click();
          await waitUntil(async () => (await runId(page)) !== scratchRun, "the saved query's own run to be shown");
          await runSucceeded(page);
          const runs = page.getByRole("region", { name: "Runs of this query" }).getByRole("table");
          await runs.locator('tbody tr[aria-current="true"]').getByText("Done").waitFor();
          seen = { run: await runId(page), result: await gridContents(page), chart: await chartContents(page) };
          assert.equal(seen.chart.bars, seen.result.rows.length);
          await shot("saved-ran");

          // The other analyst looks again: the same run, chart and rows.
          await other.reload();
          await other.getByRole("heading", { level: 1, name: TITLE }).waitFor();
          await runSucceeded(other);
          await other.getByText("run by someone else").waitFor();
          assert.equal(await runId(other), seen.run, "the other analyst sees the query's latest run");
          assert.deepEqual(await gridContents(other), seen.result, "the same rows");
          assert.deepEqual(await chartContents(other), seen.chart, "the same bar chart");
          await history.locator('tbody tr[aria-current="true"]').getByText("Done").waitFor();
          await viewing.shot("shared");
        });

        // The owner changes the SQL: the result on screen is then from other
        // SQL, and once saved, from an earlier version; it says so and offers
        // to run the query again.
        assert.equal(await page.getByTestId("stale-result").count(), 0, "the result is the saved SQL's");
        await editor(page).click();
        await page.keyboard.press("Control+End");
        await page.keyboard.insertText(" limit 1000");
        await page.keyboard.press("Escape");
        const stale = page.getByTestId("stale-result");
        await stale.getByText("This result is from other SQL than the editor's").waitFor();
        await page.getByTestId("save-query").click();
        await page.getByTestId("notice").getByText("Saved as version 2.").waitFor();
        await stale.getByText("This result is from version 1, an earlier version of the query").waitFor();
        await shot("stale-result", { a11y: true });
        const before = await runId(page);
        await stale.getByRole("button", { name: "Run it now" }).click();
        await waitUntil(async () => (await runId(page)) !== before, "the new version's run to be shown");
        await runSucceeded(page);
        assert.equal(await stale.count(), 0, "no stale note on the new version's result");
        seen = { run: await runId(page), result: await gridContents(page), chart: await chartContents(page) };
      });
    }

    // And on a phone: the saved query fits 375 px.
    {
      const { page, shot, run } = await open(t, { name: "query-phone", width: 375, height: 740 });
      await run(async () => {
        await logInThroughDataApp(page, queryPath, viewer);
        await page.getByRole("heading", { level: 1, name: TITLE }).waitFor();
        await runSucceeded(page);
        assert.equal(await runId(page), seen.run);
        const chart = await chartContents(page);
        assert.equal(chart.bars, seen.chart.bars);
        assert.deepEqual(chart.table, seen.chart.table);
        assert.deepEqual(await gridContents(page), seen.result);
        await shot("shared");
        await shot("shared-top", { fullPage: false });
        await shot("shared-chart", { of: page.locator(".chart-card") });
        await assertNoSidewaysScroll(page, "the saved query page at 375 px");
      });
    }
  });

  test("an instructor queries their own course's data only", async (t) => {
    const teacher = account("E2E_INSTRUCTOR_EMAIL");
    const course = process.env.E2E_INSTRUCTOR_COURSE;
    const { page, shot, run } = await open(t, { name: "query-instructor", width: 1280, height: 900 });
    await run(async () => {
      await logInThroughDataApp(page, "/data/", teacher);
      const note = page.getByTestId("schema-scope");
      await note.waitFor();
      assert.match(await note.textContent(), new RegExp(`Your courses' data only: ${course}\\.`));
      await shot("instructor-editor");
      await editor(page).click();
      await page.keyboard.insertText(
        "select (select count(*) from courses) as courses, (select count(*) from enrollments) as enrollments, (select count(*) from users) as users",
      );
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await runSucceeded(page);
      // Their unpublished course, nobody enrolled in it, and of the users only themselves:
      // the analysts' query above saw every simulated learner.
      const result = await gridContents(page);
      assert.deepEqual(result, { columns: ["courses", "enrollments", "users"], rows: [["1", "0", "1"]] });
      await shot("instructor-result");
    });
  });

  test("a learner is told the query page is for analysts, admins and instructors", async (t) => {
    const { page, shot, run } = await open(t, { name: "query-learner", width: 1280, height: 800 });
    await run(async () => {
      await signUp(page);
      // A learner has no link to the data app on the learner site.
      assert.equal(await page.getByRole("link", { name: "Data app" }).count(), 0, "no data app link for a learner");
      await page.goto("/data/");
      const gate = page.getByTestId("not-allowed");
      await gate.getByRole("heading", { level: 1, name: "The query page is for analysts, admins and instructors" }).waitFor();
      assert.equal(await editor(page).count(), 0, "no editor for a learner");
      assert.equal(await page.getByRole("link", { name: "Queries" }).count(), 0, "no query page links for a learner");
      await gate.getByRole("link", { name: "Learner site" }).waitFor();
      await shot("not-allowed");
    });
  });
});
