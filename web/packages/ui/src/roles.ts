// What each role may use, for links between the apps. The server decides
// (querying.CanQuery for the data API); these only choose what to show.
import type { Schemas } from "./api/client";

export type Role = Schemas["Role"];

/** Whether a role may use the data app (/data/): analysts, admins and instructors (their own courses' data). */
export function canUseDataApp(role: Role | undefined): boolean {
  return role === "analyst" || role === "admin" || role === "instructor";
}
