// What each role may use, for links between the apps. The server decides
// (querying.CanQuery for the data API); these only choose what to show.
import type { Schemas } from "./api/client";

export type Role = Schemas["Role"];

/** Whether a role may use the data app (/data/): analysts, admins and instructors (their own courses' data). */
export function canUseDataApp(role: Role | undefined): boolean {
  return role === "analyst" || role === "admin" || role === "instructor";
}

/** Lyceum's web apps, each served under its own path. */
export type AppName = "learn" | "data" | "admin";

/** Where each app is. */
export const appHref: Record<AppName, string> = { learn: "/", data: "/data/", admin: "/admin/" };

/** The apps a role may use, in the header's order; signed out: the learner site. */
export function appsFor(role: Role | undefined): AppName[] {
  const apps: AppName[] = ["learn"];
  if (canUseDataApp(role)) apps.push("data");
  if (role === "admin") apps.push("admin");
  return apps;
}
