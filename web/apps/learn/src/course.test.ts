import { describe, expect, it } from "vitest";
import type { CourseOutline, CourseProgress, Question } from "@lyceum/ui";
import { nextItem, safeNext } from "./course";
import { toResponse } from "./components/QuestionForm";

const course: CourseOutline = {
  id: "c",
  title: "C",
  summary: "",
  language: "en",
  ownerId: "o",
  published: true,
  modules: [
    {
      id: "m1",
      title: "M1",
      items: [
        { id: "v", kind: "video", title: "V", optional: false },
        { id: "extra", kind: "reading", title: "Extra", optional: true },
        { id: "q", kind: "quiz", title: "Q", optional: false },
      ],
    },
    { id: "m2", title: "M2", items: [{ id: "a", kind: "assignment", title: "A", optional: true }] },
  ],
};

const progress = (done: string[]): CourseProgress => ({
  percent: 0,
  completedItems: done.length,
  requiredItems: 2,
  score: 0,
  maxScore: 0,
  modules: [],
  items: Object.fromEntries(done.map((id) => [id, { status: "completed" as const, position: 0 }])),
});

describe("continue", () => {
  it("goes to the first required item not done, then to optional ones, then to the start", () => {
    expect(nextItem(course, null)?.id).toBe("v");
    expect(nextItem(course, progress(["v"]))?.id).toBe("q");
    expect(nextItem(course, progress(["v", "q"]))?.id).toBe("extra");
    expect(nextItem(course, progress(["v", "q", "extra", "a"]))?.id).toBe("v");
  });

  it("only follows ?next= to a path inside the app", () => {
    expect(safeNext("/courses/x")).toBe("/courses/x");
    expect(safeNext("//evil.example")).toBe("/");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });
});

describe("answers", () => {
  const q = (kind: Question["kind"]): Question => ({ id: "q", kind, prompt: "?" });
  it("turn drafts into responses", () => {
    expect(toResponse(q("single"), { choices: ["a"], text: "" })).toEqual({ response: { choices: ["a"] } });
    expect(toResponse(q("multiple"), { choices: [], text: "" })).toEqual({ problem: "empty" });
    expect(toResponse(q("numeric"), { choices: [], text: "3,5" })).toEqual({ response: { number: 3.5 } });
    expect(toResponse(q("numeric"), { choices: [], text: "tres" })).toEqual({ problem: "notNumber" });
    expect(toResponse(q("numeric"), { choices: [], text: " " })).toEqual({ problem: "empty" });
    expect(toResponse(q("text"), { choices: [], text: " Paris " })).toEqual({ response: { text: " Paris " } });
  });
});
