import { useEffect, useState } from "react";
import { Link, ProgressBar, StatusIcon, type CourseOutline, type CourseProgress } from "@lyceum/ui";
import { coursePath, itemPath, statusOf } from "../course";
import { useT } from "../i18n";

/** The course outline beside the player; on phones a collapsed section above it. */
export function OutlineNav({ course, progress, current }: { course: CourseOutline; progress: CourseProgress | null; current: string }) {
  const { t } = useT();
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [current]);

  return (
    <nav className="outline" aria-label={t("outline.label")}>
      <button type="button" className="outline-toggle" aria-expanded={open} aria-controls="outline-body" onClick={() => setOpen((o) => !o)}>
        <span>{t("outline.label")}</span>
        {progress && (
          <span className="outline-count small" aria-hidden="true">
            {progress.completedItems}/{progress.requiredItems}
          </span>
        )}
        <svg className="chevron" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
          <path d="M4 6l4 4 4-4" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </button>
      <div id="outline-body" className={`outline-body${open ? " is-open" : ""}`}>
        <p className="outline-course">
          <Link to={coursePath(course.id)} lang={course.language}>
            {course.title}
          </Link>
        </p>
        {progress && <ProgressBar percent={progress.percent} label={t("course.yourProgress")} />}
        {course.modules.map((m, mi) => (
          <div key={m.id} className="outline-module">
            <h2 className="outline-module-title">
              <span className="muted">{t("course.moduleN", { n: mi + 1 })}</span> <span lang={course.language}>{m.title}</span>
            </h2>
            <ol>
              {m.items.map((it) => {
                const here = it.id === current;
                return (
                  <li key={it.id}>
                    <Link to={itemPath(course.id, it.id)} aria-current={here ? "page" : undefined} className={here ? "is-current" : undefined}>
                      <StatusIcon status={statusOf(progress, it.id).status} />
                      <span lang={course.language}>{it.title}</span>
                    </Link>
                  </li>
                );
              })}
            </ol>
          </div>
        ))}
      </div>
    </nav>
  );
}
