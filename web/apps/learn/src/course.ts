import type { CourseOutline, CourseProgress, ItemStatus, OutlineItem, OutlineModule } from "@lyceum/ui";

export interface FlatItem {
  item: OutlineItem;
  module: OutlineModule;
  moduleIndex: number;
}

/** The course's items in order, each with its module. */
export function flatItems(c: CourseOutline): FlatItem[] {
  return c.modules.flatMap((module, moduleIndex) => module.items.map((item) => ({ item, module, moduleIndex })));
}

export const notStarted: ItemStatus = { status: "not_started", position: 0 };

export function statusOf(p: CourseProgress | null | undefined, itemId: string): ItemStatus {
  return p?.items[itemId] ?? notStarted;
}

/** Whether an item counts toward completion (peer-reviewed assignments do not yet). */
export function isRequired(it: OutlineItem): boolean {
  return !it.optional && it.kind !== "assignment";
}

/**
 * Where "continue" goes: the first required item not completed, else the
 * first item of any kind not completed, else the first item.
 */
export function nextItem(c: CourseOutline, p: CourseProgress | null | undefined): OutlineItem | undefined {
  const all = flatItems(c);
  const open = (f: FlatItem) => statusOf(p, f.item.id).status !== "completed";
  return (all.find((f) => isRequired(f.item) && open(f)) ?? all.find(open) ?? all[0])?.item;
}

export function itemPath(courseId: string, itemId: string) {
  return `/courses/${encodeURIComponent(courseId)}/items/${encodeURIComponent(itemId)}`;
}

export function coursePath(courseId: string) {
  return `/courses/${encodeURIComponent(courseId)}`;
}

/** A safe in-app path from a ?next= parameter, or "/". */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}
