import { describe, expect, it } from "vitest";
import { canUseDataApp } from "./roles";

describe("canUseDataApp", () => {
  it("is for analysts, admins and instructors, not learners", () => {
    expect(canUseDataApp("analyst")).toBe(true);
    expect(canUseDataApp("admin")).toBe(true);
    expect(canUseDataApp("instructor")).toBe(true);
    expect(canUseDataApp("learner")).toBe(false);
    expect(canUseDataApp(undefined)).toBe(false);
  });
});
