// The learner's path through the real server in headless Chromium: sign up,
// find the sample course in the catalog, enroll, watch the first video up to
// its in-video question, answer it, go on to the end, and see the progress on
// the course page change. And the pages a phone shows, at 375 px wide.
//
// Run by scripts/e2e.sh, which starts the server and sets LYCEUM_URL; what
// the browser tests share is in ../lib/browser.mjs.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { TEST_TIMEOUT, horizontalOverflow, open, signUp, useBrowser, waitUntil } from "../lib/browser.mjs";

const COURSE = { id: "data-literacy-basics", title: "Data Literacy Basics" };
const VIDEO = {
  id: "what-is-data",
  title: "What is data?",
  // The in-video questions of the first video, in order (courses/sample/course.yaml).
  questions: [
    { at: 10, correct: ["One person who answered the survey"] },
    { at: 20, correct: ["Country of residence", "Favourite colour"] },
  ],
};

useBrowser();

/** The course page's row for an item: the innermost list item with its link (not its module's). */
function itemRow(page, title) {
  return page
    .getByRole("main")
    .getByRole("listitem")
    .filter({ has: page.getByRole("link", { name: title, exact: true }) })
    .filter({ hasNot: page.getByRole("listitem") });
}

/** The status an item row shows ("Not started", "In progress", "Completed"). */
async function rowStatus(row) {
  return (await row.locator(".status-icon").getAttribute("title")) ?? "";
}

/** The playing state of the lecture video. */
function videoState(page) {
  return page.getByTestId("video").evaluate((v) => ({
    time: v.currentTime,
    paused: v.paused,
    ended: v.ended,
    duration: v.duration,
    readyState: v.readyState,
    error: v.error ? `${v.error.code} ${v.error.message}` : null,
  }));
}

/** Waits for the lecture video's metadata (it must be playable: H.264 in MP4); returns its length. */
async function videoLoaded(page) {
  await waitUntil(async () => {
    const s = await videoState(page);
    if (s.error) throw new Error(`the video failed to load: ${s.error}`);
    return s.readyState >= 1 && s.duration > 0;
  }, "the video's metadata to load");
  return (await videoState(page)).duration;
}

/** Starts playback (muted, as a page may start a video without a click); it plays in real time. */
async function play(page) {
  await page.getByTestId("video").evaluate((v) => {
    v.muted = true;
    return v.play();
  });
  await waitUntil(async () => (await videoState(page)).time > 0.5, "the video to start playing");
}

const clock = (s) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;

/**
 * Waits for the player to pause at question q and ask it in a dialog, then
 * answers it right and checks the feedback. With tryEmpty, first checks that
 * an empty answer is refused.
 */
async function answerQuestion(page, shot, q, i, { tryEmpty = false } = {}) {
  const dialog = page.getByRole("dialog");
  await dialog.waitFor({ timeout: (q.at + 60) * 1000 });
  const s = await videoState(page);
  assert.ok(s.paused, "the video pauses for the question");
  assert.ok(s.time >= q.at - 0.1 && s.time < q.at + 2, `paused at ${s.time} s for the question at ${q.at} s`);
  await dialog.getByText(`Question at ${clock(q.at)}`).waitFor();
  // Focus is in the dialog (on its first choice).
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), "focus moves into the question dialog");
  await shot(`question-${i + 1}`, { fullPage: false, a11y: true });

  const check = dialog.getByRole("button", { name: "Check answer" });
  if (tryEmpty) {
    // Nothing picked: refused with a message, not sent.
    await check.click();
    await dialog.getByText("Answer this question first.").waitFor();
  }
  for (const choice of q.correct) await dialog.getByLabel(choice, { exact: true }).check();
  await check.click();

  const feedback = dialog.getByTestId("question-feedback");
  await feedback.waitFor();
  const verdict = await feedback.textContent();
  assert.match(verdict, /Correct/, `feedback says the answer is right: ${verdict}`);
  assert.doesNotMatch(verdict, /Not quite/);
  await shot(`question-${i + 1}-feedback`, { fullPage: false, a11y: true });
}

/** Continue after a question: the dialog goes and playback resumes from where it paused. */
async function continuePlayback(page) {
  const dialog = page.getByRole("dialog");
  const at = (await videoState(page)).time;
  await dialog.getByRole("button", { name: "Continue" }).click();
  await dialog.waitFor({ state: "detached" });
  await waitUntil(async () => {
    const s = await videoState(page);
    return !s.paused && s.time > at + 0.5;
  }, "playback to resume after the question");
}

describe("learner", { timeout: 2 * TEST_TIMEOUT }, () => {
  test("signs up, enrolls, answers the in-video question and sees progress", async (t) => {
    const { page, shot, run } = await open(t, { name: "desktop", width: 1280, height: 860 });
    await run(async () => {
      await signUp(page, shot);

      // The catalog lists the sample course; open it.
      await page.getByRole("heading", { level: 1, name: "Courses" }).waitFor();
      const card = page.getByRole("list", { name: "Courses" }).getByRole("link", { name: COURSE.title });
      await card.waitFor();
      await shot("catalog");
      await card.click();
      await page.waitForURL(`**/courses/${COURSE.id}`);
      await page.getByRole("heading", { level: 1, name: COURSE.title }).waitFor();

      // Not enrolled yet: the items are listed but can't be opened.
      const enroll = page.getByRole("button", { name: "Enroll", exact: true });
      await enroll.waitFor();
      assert.equal(await page.getByRole("main").getByRole("link", { name: VIDEO.title, exact: true }).count(), 0, "items open before enrolling");
      await shot("course-before-enrolling");

      await enroll.click();
      const progressBar = page.getByRole("progressbar", { name: "Your progress" });
      await progressBar.waitFor();
      assert.equal(await progressBar.getAttribute("aria-valuenow"), "0", "a new enrollment starts at 0%");
      const done0 = await page.getByRole("complementary", { name: "Your progress" }).getByText(/^\d+ of \d+ done/).textContent();
      assert.match(done0, /^0 of \d+ done\b/);
      const row = itemRow(page, VIDEO.title);
      assert.equal(await rowStatus(row), "Not started");
      await page.getByRole("link", { name: "Start course" }).waitFor();
      await shot("course-enrolled", { a11y: true });

      // Open the first video.
      await row.getByRole("link", { name: VIDEO.title, exact: true }).click();
      await page.waitForURL(`**/courses/${COURSE.id}/items/${VIDEO.id}`);
      await page.getByRole("heading", { level: 1, name: VIDEO.title }).waitFor();
      const video = page.getByTestId("video");
      await video.waitFor();
      assert.equal(await video.getAttribute("aria-label"), "Lecture video");
      await page.getByText(`In-video questions answered: 0 of ${VIDEO.questions.length}`).waitFor();

      // The video loads (H.264 in an MP4) and knows its length.
      const duration = await videoLoaded(page);
      assert.ok(duration > VIDEO.questions.at(-1).at, `video is ${duration} s, shorter than its last question`);
      // Opening the item marks it started.
      await page.locator('[data-testid="item-status"][data-status="in_progress"]').waitFor();
      await shot("video-opened");

      await play(page);
      for (const [i, q] of VIDEO.questions.entries()) {
        await answerQuestion(page, shot, q, i, { tryEmpty: i === 0 });
        await page.getByText(`In-video questions answered: ${i + 1} of ${VIDEO.questions.length}`).waitFor();
        await continuePlayback(page);
      }
      await shot("video-playing-after-questions", { fullPage: false });

      // Watched to the end with every question answered: the video is complete.
      await waitUntil(async () => (await videoState(page)).ended, "the video to play to its end", (duration + 30) * 1000);
      await page.locator('[data-testid="item-status"][data-status="completed"]').waitFor();
      await shot("video-completed");

      // Back on the course page, the progress shows it.
      await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: COURSE.title }).click();
      await page.waitForURL(`**/courses/${COURSE.id}`);
      await page.getByRole("heading", { level: 1, name: COURSE.title }).waitFor();
      const bar = page.getByRole("progressbar", { name: "Your progress" });
      await bar.waitFor();
      await waitUntil(async () => Number(await bar.getAttribute("aria-valuenow")) > 0, "the course progress to rise above 0%");
      assert.match(await page.getByTestId("progress-percent").textContent(), /^[1-9]\d*%$/);
      const done1 = await page.getByRole("complementary", { name: "Your progress" }).getByText(/^\d+ of \d+ done/).textContent();
      assert.match(done1, /^1 of \d+ done\b/);
      assert.equal(await rowStatus(itemRow(page, VIDEO.title)), "Completed");
      // "Continue" now leads to the next item.
      const cont = page.getByTestId("continue-course");
      assert.equal(await cont.textContent(), "Continue");
      assert.match(await cont.getAttribute("href"), /\/items\/observations-and-variables$/);
      await shot("course-progress");
    });
  });

  test("course and video pages fit a 375 px wide phone, question included", async (t) => {
    const { page, shot, run } = await open(t, { name: "phone", width: 375, height: 740 });
    await run(async () => {
      // Signed out first: the catalog and the course page as a visitor sees them.
      await page.goto(`/courses/${COURSE.id}`);
      await page.getByRole("heading", { level: 1, name: COURSE.title }).waitFor();
      await page.getByRole("link", { name: "Sign up to enroll" }).waitFor();
      await shot("course-visitor");
      const visitor = await horizontalOverflow(page);
      assert.ok(
        visitor.scrollWidth <= visitor.clientWidth,
        `course page (visitor) scrolls sideways: ${visitor.scrollWidth} > ${visitor.clientWidth}: ${visitor.wide.join(", ")}`,
      );

      await signUp(page, shot);
      await page.goto(`/courses/${COURSE.id}`);
      await page.getByRole("button", { name: "Enroll", exact: true }).click();
      await page.getByRole("progressbar", { name: "Your progress" }).waitFor();
      await shot("course-enrolled");
      const learner = await horizontalOverflow(page);
      assert.ok(
        learner.scrollWidth <= learner.clientWidth,
        `course page (enrolled) scrolls sideways: ${learner.scrollWidth} > ${learner.clientWidth}: ${learner.wide.join(", ")}`,
      );

      // The player page too: the video fits the width.
      await itemRow(page, VIDEO.title).getByRole("link", { name: VIDEO.title, exact: true }).click();
      await page.getByRole("heading", { level: 1, name: VIDEO.title }).waitFor();
      const video = page.getByTestId("video");
      await video.waitFor();
      await shot("video");
      const player = await horizontalOverflow(page);
      assert.ok(
        player.scrollWidth <= player.clientWidth,
        `video page scrolls sideways: ${player.scrollWidth} > ${player.clientWidth}: ${player.wide.join(", ")}`,
      );
      const box = await video.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375 + 0.5, `the video sticks out of the screen: ${JSON.stringify(box)}`);

      // The in-video question on a phone: the dialog fits the width, and it can be answered.
      await videoLoaded(page);
      await play(page);
      const q = VIDEO.questions[0];
      await page.getByRole("dialog").waitFor({ timeout: (q.at + 60) * 1000 });
      const asking = await horizontalOverflow(page);
      assert.ok(
        asking.scrollWidth <= asking.clientWidth,
        `video page with the question scrolls sideways: ${asking.scrollWidth} > ${asking.clientWidth}: ${asking.wide.join(", ")}`,
      );
      const dbox = await page.getByRole("dialog").boundingBox();
      assert.ok(dbox && dbox.x >= 0 && dbox.x + dbox.width <= 375 + 0.5, `the question dialog sticks out of the screen: ${JSON.stringify(dbox)}`);
      await answerQuestion(page, shot, q, 0);
      await continuePlayback(page);
      await page.getByText(`In-video questions answered: 1 of ${VIDEO.questions.length}`).waitFor();
    });
  });
});
