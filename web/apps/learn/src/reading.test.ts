import { describe, expect, it } from "vitest";
import { withoutRepeatedTitle } from "./reading";

describe("withoutRepeatedTitle", () => {
  it("drops an opening h1 that repeats the title", () => {
    expect(withoutRepeatedTitle("<h1>Averages and spread</h1>\n<p>A list…</p>", "Averages and spread")).toBe("<p>A list…</p>");
    expect(withoutRepeatedTitle('\n<h1 id="x">Quiz: <em>data</em> &amp; variables</h1><p>b</p>', "quiz: data & variables")).toBe("<p>b</p>");
    expect(withoutRepeatedTitle("<h1>What&#39;s  new</h1><p>b</p>", "What's new")).toBe("<p>b</p>");
  });

  it("keeps a heading that says something else, or that is not first", () => {
    const other = "<h1>Choosing the right chart</h1><p>a</p>";
    expect(withoutRepeatedTitle(other, "Choosing a chart")).toBe(other);
    const later = "<p>Intro</p><h1>Title</h1>";
    expect(withoutRepeatedTitle(later, "Title")).toBe(later);
    const h2 = "<h2>Title</h2><p>a</p>";
    expect(withoutRepeatedTitle(h2, "Title")).toBe(h2);
    expect(withoutRepeatedTitle("", "Title")).toBe("");
  });
});
