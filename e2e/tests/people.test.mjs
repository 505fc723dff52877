// People and places: an admin finds a learner and makes them an analyst,
// and the learner, on reloading, has the data app in their header; a
// learner changes their time zone and language in their settings and sees
// times and words change, and keep, after a reload.
//
// Run by scripts/e2e.sh, which starts the server and sets LYCEUM_URL.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TEST_TIMEOUT, logIn, open, signUp, useBrowser } from "../lib/browser.mjs";

function admin() {
  const email = process.env.E2E_ADMIN_EMAIL;
  const file = process.env.E2E_ANALYST_PASSWORD_FILE;
  if (!email || !file) throw new Error("E2E_ADMIN_EMAIL is not set: run the browser tests with scripts/e2e.sh");
  return { email, password: readFileSync(file, "utf8").split("\n")[0] };
}

useBrowser();

describe("people", { timeout: 2 * TEST_TIMEOUT }, () => {
  test("an admin makes a learner an analyst; the learner reloads and has the data app", async (t) => {
    const learner = await open(t, { name: "people-learner", width: 1280, height: 800 });
    const boss = await open(t, { name: "people-admin", width: 1280, height: 800 });
    const h1 = (page, name) => page.getByRole("heading", { level: 1, name, exact: true }).waitFor();
    await learner.run(() =>
      boss.run(async () => {
        const name = await signUp(learner.page);
        assert.equal(await learner.page.getByRole("link", { name: "Data app" }).count(), 0, "no data app link for a learner");

        const page = boss.page;
        await page.goto("/login?next=%2Fadmin%2F");
        await logIn(page, admin(), (u) => u.pathname === "/admin/");
        await h1(page, "People");
        await boss.shot("people");
        await page.getByLabel("Name or email").fill(name);
        await page.getByRole("button", { name: "Search", exact: true }).click();
        await page.waitForURL((u) => u.searchParams.get("q") === name);
        // Names repeat across test files (each counts its own learners): the
        // list is newest sign-up first, and this learner signed up last.
        await page.getByTestId("users").getByRole("link", { name, exact: true }).first().click();
        await h1(page, name);
        await boss.shot("user");
        await page.getByRole("combobox", { name: "Role" }).selectOption("analyst");
        await page.getByRole("status").getByText("The role is now Analyst.").waitFor();
        await boss.shot("user-analyst", { a11y: true });

        await learner.page.reload();
        const toData = learner.page.getByRole("link", { name: "Data app" });
        await toData.waitFor();
        assert.equal(await toData.getAttribute("href"), "/data/");
        await learner.shot("catalog-analyst");

        // The audit log has it; the courses list is there too.
        await page.getByRole("link", { name: "Audit log" }).click();
        await h1(page, "Audit log");
        await page.getByTestId("audit").getByRole("cell", { name: "role_changed" }).first().waitFor();
        await boss.shot("audit");
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Courses" }).click();
        await h1(page, "Courses");
        await page.getByTestId("courses").waitFor();
        await boss.shot("courses");
      }),
    );
  });

  test("a learner changes their time zone and language, and sees times and words change", async (t) => {
    const { page, shot, run } = await open(t, { name: "settings", width: 1280, height: 800 });
    await run(async () => {
      const name = await signUp(page);
      await page.getByRole("link", { name: `Signed in as ${name}: account settings` }).click();
      await page.getByRole("heading", { level: 1, name: "Account settings" }).waitFor();
      const session = page.getByTestId("sessions").getByText(/^Signed in /).first();
      await session.waitFor();
      const inUTC = await session.textContent();
      await shot("settings");

      const main = page.getByRole("main");
      await main.getByLabel("Time zone").selectOption("America/New_York"); // UTC-5 in November
      await main.getByRole("button", { name: "Save", exact: true }).click();
      await main.getByRole("status").getByText("Saved.").waitFor();
      const inNewYork = await session.textContent();
      assert.notEqual(inNewYork, inUTC, "the session's time did not change with the time zone");

      await main.getByLabel("Language").selectOption("es");
      await main.getByRole("button", { name: "Save", exact: true }).click();
      await page.getByRole("heading", { level: 1, name: "Configuración de la cuenta" }).waitFor();
      await shot("settings-es", { a11y: true });

      // Kept by the server: after a reload, and the next sign-in too.
      await page.reload();
      await page.getByRole("heading", { level: 1, name: "Configuración de la cuenta" }).waitFor();
      await page.getByTestId("sessions").getByText(/^Sesión iniciada /).first().waitFor();
      assert.equal(await main.getByLabel("Zona horaria").inputValue(), "America/New_York");
    });
  });
});
