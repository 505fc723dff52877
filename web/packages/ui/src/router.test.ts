import { describe, expect, it } from "vitest";
import { appPath, href, isOtherApp, matchPath } from "./router";

describe("router", () => {
  it("matches patterns and decodes params", () => {
    expect(matchPath("/courses/:id", "/courses/go-101")).toEqual({ id: "go-101" });
    expect(matchPath("/courses/:id/items/:itemId", "/courses/a/items/b%20c")).toEqual({ id: "a", itemId: "b c" });
    expect(matchPath("/courses/:id", "/courses/a/items/b")).toBeNull();
    expect(matchPath("/me", "/mine")).toBeNull();
    expect(matchPath("/", "/")).toEqual({});
    expect(matchPath("/courses/:id", "/courses/%E0%A4%A")).toBeNull();
  });

  it("maps between browser and app paths under a base", () => {
    expect(appPath("/studio/courses/x", "/studio/")).toBe("/courses/x");
    expect(appPath("/studio", "/studio/")).toBe("/");
    expect(href("/courses/x", "/studio/")).toBe("/studio/courses/x");
    expect(href("/courses/x", "/")).toBe("/courses/x");
  });

  it("knows which of learn's paths are other apps' pages", () => {
    expect(isOtherApp("/data/q/1?x=1", "/")).toBe(true);
    expect(isOtherApp("/data", "/")).toBe(true);
    expect(isOtherApp("/database", "/")).toBe(false);
    expect(isOtherApp("/courses/x", "/")).toBe(false);
    expect(isOtherApp("/data/q/1", "/data/")).toBe(false);
  });
});
