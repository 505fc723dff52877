// Every page of both apps on a 375 px wide phone, as a visitor and as an
// admin who uses both (scripts/e2e.sh creates them: E2E_ADMIN_EMAIL): the
// document is never wider than the screen, and each page passes the
// accessibility check (shot runs it). On the way: a reading shows its title
// once, the quiz's attempts table keeps its headers' words whole, and each
// app links to the other for someone who may use both.
//
// Run by scripts/e2e.sh, which starts the server and sets LYCEUM_URL.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TEST_TIMEOUT, assertNoSidewaysScroll, logIn, open, useBrowser } from "../lib/browser.mjs";

const COURSE = { id: "data-literacy-basics", title: "Data Literacy Basics" };
const READING = { id: "observations-and-variables", title: "Observations, variables and tidy tables" };
const QUIZ = { id: "quiz-data-and-variables", title: "Quiz: data and variables" };
const item = (id) => `/courses/${COURSE.id}/items/${id}`;

function admin() {
  const email = process.env.E2E_ADMIN_EMAIL;
  const file = process.env.E2E_ANALYST_PASSWORD_FILE;
  if (!email || !file) throw new Error("E2E_ADMIN_EMAIL is not set: run the browser tests with scripts/e2e.sh");
  return { email, password: readFileSync(file, "utf8").split("\n")[0] };
}

/** The words of a table's header cells that are broken across lines, as "header: word". */
function brokenHeaderWords(table) {
  return table.evaluate((t) => {
    const broken = [];
    for (const th of t.querySelectorAll("th")) {
      const walk = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
      for (let node = walk.nextNode(); node; node = walk.nextNode()) {
        const box = node.parentElement.getBoundingClientRect();
        if (box.width <= 1) continue; // visually hidden
        for (const m of node.data.matchAll(/\S+/g)) {
          const r = document.createRange();
          r.setStart(node, m.index);
          r.setEnd(node, m.index + m[0].length);
          const lines = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
          if (lines.size > 1) broken.push(`${th.textContent.trim()}: ${m[0]}`);
        }
      }
    }
    return broken;
  });
}

useBrowser();

// Some twenty pages, each checked by axe-core: twice the time of a test.
describe("every page on a phone", { timeout: 2 * TEST_TIMEOUT }, () => {
  test("fits 375 px and passes the accessibility check, for a visitor and for an admin", async (t) => {
    const { page, shot, run } = await open(t, { name: "pages-375", width: 375, height: 740 });
    /** Checks the page as it is: no sideways scrolling, and (in shot) no serious accessibility violation. */
    const fits = async (what) => {
      await shot(what, { a11y: true });
      await assertNoSidewaysScroll(page, `${what} at 375 px`);
    };
    const h1 = (name) => page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
    await run(async () => {
      // A visitor.
      await page.goto("/");
      await h1("Courses");
      await fits("catalog-visitor");
      await page.goto("/signup");
      await h1("Create your account");
      await fits("signup");
      await page.goto("/no-such-page");
      await h1("Page not found");
      await fits("not-found");
      await page.goto("/data/");
      await h1("Log in to use the query page");
      await fits("data-signed-out");
      await page.goto("/login?next=%2F");
      await h1("Log in");
      await fits("login");

      // An admin, on the learner site: a link to the data app.
      await logIn(page, admin(), (u) => u.pathname === "/");
      await page.getByRole("button", { name: "Log out" }).waitFor();
      const toData = page.getByRole("link", { name: "Data app" });
      await toData.waitFor();
      assert.equal(await toData.getAttribute("href"), "/data/");
      await fits("catalog");

      await page.goto(`/courses/${COURSE.id}`);
      await h1(COURSE.title);
      // Enrolled already (an earlier run) or not: wait until the page says which.
      const enroll = page.getByRole("button", { name: "Enroll", exact: true });
      const progress = page.getByRole("progressbar", { name: "Your progress" });
      await enroll.or(progress).first().waitFor();
      if (await enroll.isVisible()) await enroll.click();
      await progress.waitFor();
      await fits("course");

      // A reading shows its title once: the page's heading, not the Markdown's again.
      await page.goto(item(READING.id));
      await h1(READING.title);
      await page.locator(".prose").waitFor();
      assert.equal(await page.getByRole("heading", { name: READING.title }).count(), 1, "the reading's title is shown once");
      await fits("reading");

      // A quiz with an attempt: its table's headers keep their words whole.
      await page.goto(item(QUIZ.id));
      await h1(QUIZ.title);
      await page.getByLabel("Blood type", { exact: true }).check();
      for (const c of ["Who collected it?", "How was it collected?", "Why was it collected?"]) await page.getByLabel(c, { exact: true }).check();
      await page.locator("#quiz-count-observations-input").fill("250");
      await page.locator("#quiz-name-of-column-input").fill("variable");
      await page.getByTestId("quiz-submit").click();
      await page.getByTestId("quiz-result").waitFor();
      const attempts = page.getByRole("region", { name: "Your attempts" }).getByRole("table");
      await attempts.waitFor();
      assert.deepEqual(await brokenHeaderWords(attempts), [], "the attempts table's headers break words");
      await fits("quiz-attempts");

      await page.goto("/me");
      await h1("My courses");
      await fits("my-courses");

      // The data app, through the link; and its link back.
      await toData.click();
      await page.waitForURL((u) => u.pathname === "/data/");
      await page.getByTestId("ws-title").getByText("New query").waitFor();
      await page.getByRole("link", { name: "Learner site" }).waitFor();
      await page.getByRole("textbox", { name: "SQL query" }).waitFor();
      await fits("data-editor");
      await page.getByRole("textbox", { name: "SQL query" }).click();
      await page.keyboard.insertText("select count(*) as learners from users");
      await page.keyboard.press("Escape");
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await page.waitForURL(/\/data\/runs\/[0-9a-f-]+$/);
      await page.locator('[data-testid="run-state"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="result-grid"][aria-busy="false"]').waitFor();
      await fits("data-run");
      await page.getByTestId("save-query").click();
      const dialog = page.getByRole("dialog", { name: "Save query" });
      await dialog.getByLabel("Title").fill("Learners on a phone");
      await dialog.getByRole("button", { name: "Save", exact: true }).click();
      await page.waitForURL(/\/data\/q\/[0-9a-f-]+$/);
      await h1("Learners on a phone");
      await page.locator('[data-testid="run-state"][data-status="succeeded"]').waitFor();
      await fits("data-saved");

      await page.goto("/data/queries");
      await h1("Queries");
      await fits("data-queries");

      await page.goto("/data/tokens");
      await h1("API tokens");
      await page.getByTestId("token-name").fill("A token made on a phone to check the width");
      await page.getByTestId("token-create").click();
      await page.getByTestId("token-secret").waitFor();
      await page.getByTestId("tokens").waitFor();
      await fits("data-tokens");

      await page.goto("/data/admin");
      await h1("Running queries");
      await page.getByText("Nothing is running.").or(page.getByTestId("admin-running")).first().waitFor();
      await fits("data-admin");

      await page.goto("/data/no-such-page");
      await h1("Page not found");
      await fits("data-not-found");
    });
  });
});
