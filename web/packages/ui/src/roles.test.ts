import { describe, expect, it } from "vitest";
import { appsFor, canUseDataApp } from "./roles";

describe("canUseDataApp", () => {
  it("is for analysts, admins and instructors, not learners", () => {
    expect(canUseDataApp("analyst")).toBe(true);
    expect(canUseDataApp("admin")).toBe(true);
    expect(canUseDataApp("instructor")).toBe(true);
    expect(canUseDataApp("learner")).toBe(false);
    expect(canUseDataApp(undefined)).toBe(false);
  });
});

describe("appsFor", () => {
  it("lists the apps a role may use, the learner site for everyone", () => {
    expect(appsFor(undefined)).toEqual(["learn"]);
    expect(appsFor("learner")).toEqual(["learn"]);
    expect(appsFor("instructor")).toEqual(["learn", "data"]);
    expect(appsFor("analyst")).toEqual(["learn", "data"]);
    expect(appsFor("admin")).toEqual(["learn", "data", "admin"]);
  });
});
