import { useState } from "react";
import {
  ApiError,
  ErrorMessage,
  KindIcon,
  Link,
  Loading,
  ProgressBar,
  StatusIcon,
  formatClock,
  useAsync,
  useDocumentTitle,
  useSession,
  type CoursePage as CoursePageData,
  type CourseProgress,
  type OutlineItem,
  type OutlineModule,
} from "@lyceum/ui";
import { coursePath, itemPath, nextItem, statusOf } from "../course";
import { useT } from "../i18n";
import { LanguageName } from "./Catalog";
import { NotFoundPage } from "./NotFound";

export function CoursePage({ courseId }: { courseId: string }) {
  const { t } = useT();
  const { client, user } = useSession();
  const [page, reload] = useAsync((s) => client.course(courseId, s), [client, courseId, user?.id]);
  useDocumentTitle(page.state === "ready" ? page.data.course.title : undefined);

  if (page.state === "loading") return <div className="container"><Loading /></div>;
  if (page.state === "error") {
    if (page.error instanceof ApiError && page.error.status === 404) return <NotFoundPage />;
    return (
      <div className="container">
        <ErrorMessage error={page.error} onRetry={reload} />
      </div>
    );
  }
  const { course, enrollment, progress } = page.data;
  const canEdit = !!user && (user.role === "admin" || (user.role === "instructor" && user.id === course.ownerId));
  const canOpen = !!enrollment || canEdit;

  return (
    <div className="container">
      <nav className="breadcrumb" aria-label={t("breadcrumb")}>
        <Link to="/">{t("nav.courses")}</Link>
      </nav>
      <div className="course-hero">
        <div className="course-hero-text">
          <h1 lang={course.language}>{course.title}</h1>
          {course.summary && (
            <p className="lead" lang={course.language}>
              {course.summary}
            </p>
          )}
          <p className="muted small course-meta">
            <span>{t("course.modules", { count: course.modules.length })}</span>
            <span>{t("course.items", { count: course.modules.reduce((n, m) => n + m.items.length, 0) })}</span>
            <LanguageName tag={course.language} />
            {!course.published && <span className="badge">{t("course.unpublished")}</span>}
          </p>
          {page.data.teacher.name && <p className="muted small course-teacher">{t("course.teacher", { name: page.data.teacher.name })}</p>}
        </div>
        <EnrollCard page={page.data} onEnrolled={reload} />
      </div>

      <h2 className="section-title">{t("course.outline")}</h2>
      <ol className="module-list">
        {course.modules.map((m, i) => (
          <ModuleCard key={m.id} index={i} module={m} courseId={course.id} progress={progress} canOpen={canOpen} lang={course.language} />
        ))}
      </ol>
    </div>
  );
}

function EnrollCard({ page, onEnrolled }: { page: CoursePageData; onEnrolled: () => void }) {
  const { t, date } = useT();
  const { client, user, ready } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { course, enrollment, progress } = page;

  async function leave() {
    if (!window.confirm(t("course.leaveConfirm"))) return;
    setBusy(true);
    setError(null);
    try {
      await client.leave(course.id);
      onEnrolled();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function enroll() {
    setBusy(true);
    setError(null);
    try {
      await client.enroll(course.id);
      onEnrolled();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  if (enrollment) {
    const next = nextItem(course, progress);
    const started = !!progress && Object.values(progress.items).some((s) => s.status !== "not_started");
    const done = !!(progress?.completedAt ?? enrollment.completedAt);
    return (
      <aside className="card enroll-card" aria-label={t("course.yourProgress")}>
        <h2 className="h3">{t("course.yourProgress")}</h2>
        <ProgressBar percent={progress?.percent ?? 0} label={t("course.yourProgress")} testId="progress-percent" />
        {progress && (
          <p className="muted small">
            {t("course.requiredDone", { done: progress.completedItems, total: progress.requiredItems })}
            {progress.maxScore > 0 && <> · {t("course.grade", { score: progress.score, max: progress.maxScore })}</>}
          </p>
        )}
        {done && (
          <p className="alert alert-success">
            {t("course.completedOn", { date: date((progress?.completedAt ?? enrollment.completedAt)!) })}
          </p>
        )}
        {next && (
          <Link to={itemPath(course.id, next.id)} className="btn btn-primary btn-block" data-testid="continue-course">
            {done ? t("course.review") : started ? t("course.continue") : t("course.start")}
          </Link>
        )}
        <p className="muted small enrolled-on">{t("course.enrolledOn", { date: date(enrollment.enrolledAt) })}</p>
        {error != null && <ErrorMessage error={error} />}
        <button type="button" className="btn btn-ghost btn-small" onClick={leave} disabled={busy} data-testid="leave-course">
          {t("course.leave")}
        </button>
      </aside>
    );
  }

  return (
    <aside className="card enroll-card" aria-label={t("course.enroll")}>
      <h2 className="h3">{t("course.free")}</h2>
      <p className="muted small">{t("course.enrollPitch")}</p>
      {!ready ? null : user ? (
        <button type="button" className="btn btn-primary btn-block" data-testid="enroll-button" onClick={enroll} disabled={busy}>
          {busy ? t("course.enrolling") : t("course.enroll")}
        </button>
      ) : (
        <>
          <Link to={`/signup?next=${encodeURIComponent(coursePath(course.id))}`} className="btn btn-primary btn-block">
            {t("course.signupToEnroll")}
          </Link>
          <p className="small center">
            {t("auth.haveAccount")} <Link to={`/login?next=${encodeURIComponent(coursePath(course.id))}`}>{t("nav.login")}</Link>
          </p>
        </>
      )}
      {error != null && <ErrorMessage error={error} />}
    </aside>
  );
}

function ModuleCard(props: {
  index: number;
  module: OutlineModule;
  courseId: string;
  progress: CourseProgress | null;
  canOpen: boolean;
  lang: string;
}) {
  const { t } = useT();
  const { index, module: m, courseId, progress, canOpen, lang } = props;
  const mp = progress?.modules.find((x) => x.moduleId === m.id);
  const headingId = `module-${m.id}`;
  return (
    <li className="card module-card" aria-labelledby={headingId}>
      <div className="module-head">
        <h3 id={headingId}>
          <span className="module-number">{t("course.moduleN", { n: index + 1 })}</span>
          <span lang={lang}>{m.title}</span>
        </h3>
        {mp && (
          <p className="module-stats small">
            <span className={mp.requiredItems > 0 && mp.completedItems >= mp.requiredItems ? "badge badge-success" : "badge"}>
              {t("course.requiredDone", { done: mp.completedItems, total: mp.requiredItems })}
            </span>
            {mp.maxScore > 0 && (
              <span className="badge badge-primary">{t("course.grade", { score: mp.score, max: mp.maxScore })}</span>
            )}
          </p>
        )}
      </div>
      <ol className="item-list">
        {m.items.map((it) => (
          <ItemRow key={it.id} item={it} courseId={courseId} progress={progress} canOpen={canOpen} lang={lang} />
        ))}
      </ol>
    </li>
  );
}

function ItemRow({ item, courseId, progress, canOpen, lang }: { item: OutlineItem; courseId: string; progress: CourseProgress | null; canOpen: boolean; lang: string }) {
  const { t } = useT();
  const st = statusOf(progress, item.id);
  return (
    <li className="item-row">
      <span className="item-icons">
        {progress && <StatusIcon status={st.status} />}
        <KindIcon kind={item.kind} />
      </span>
      <span className="item-title" lang={lang}>
        {canOpen ? <Link to={itemPath(courseId, item.id)}>{item.title}</Link> : item.title}
      </span>
      <span className="item-meta muted small">
        <ItemMeta item={item} />
        {item.optional && <span className="badge">{t("item.optional")}</span>}
        {st.status !== "not_started" && st.maxScore != null && st.maxScore > 0 && st.score != null && (
          <span className="badge badge-primary">{t("course.score", { score: st.score, max: st.maxScore })}</span>
        )}
      </span>
    </li>
  );
}

export function ItemMeta({ item }: { item: OutlineItem }) {
  const { t } = useT();
  const parts: string[] = [t(`kind.${item.kind}`)];
  if (item.durationSeconds) parts.push(formatClock(item.durationSeconds));
  if (item.questionCount) parts.push(t("item.questions", { count: item.questionCount }));
  return <span>{parts.join(" · ")}</span>;
}
