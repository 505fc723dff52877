import { useEffect, useMemo, useState } from "react";
import {
  ApiError,
  ErrorMessage,
  KindIcon,
  Link,
  Loading,
  StatusIcon,
  useAsync,
  useDocumentTitle,
  useSession,
  type CourseProgress,
  type ItemPage as ItemPageData,
  type ItemStatus,
  type ProgressResponse,
} from "@lyceum/ui";
import { coursePath, flatItems, itemPath } from "../course";
import { withoutRepeatedTitle } from "../reading";
import { useT } from "../i18n";
import { OutlineNav } from "../components/Outline";
import { VideoPlayer } from "../components/VideoPlayer";
import { Quiz } from "../components/Quiz";
import { NotFoundPage } from "./NotFound";

export default function ItemPage({ courseId, itemId }: { courseId: string; itemId: string }) {
  const { t } = useT();
  const { client, user, ready } = useSession();
  const [coursePage, reloadCourse] = useAsync((s) => client.course(courseId, s), [client, courseId, user?.id]);
  const [progress, setProgress] = useState<CourseProgress | null>(null);

  useEffect(() => {
    if (coursePage.state === "ready") setProgress(coursePage.data.progress);
  }, [coursePage]);

  const course = coursePage.state === "ready" ? coursePage.data.course : null;
  const flat = useMemo(() => (course ? flatItems(course) : []), [course]);
  const here = flat.findIndex((f) => f.item.id === itemId);
  const entry = flat[here];
  useDocumentTitle(entry?.item.title);

  if (coursePage.state === "loading" || !ready) return <div className="container"><Loading /></div>;
  if (coursePage.state === "error") {
    if (coursePage.error instanceof ApiError && coursePage.error.status === 404) return <NotFoundPage />;
    return (
      <div className="container">
        <ErrorMessage error={coursePage.error} onRetry={reloadCourse} />
      </div>
    );
  }
  if (!course || !entry) return <NotFoundPage />;

  const prev = flat[here - 1]?.item;
  const next = flat[here + 1]?.item;

  return (
    <div className="container player">
      <OutlineNav course={course} progress={progress} current={itemId} />
      <article className="player-main">
        <nav className="breadcrumb" aria-label={t("breadcrumb")}>
          <Link to={coursePath(course.id)} lang={course.language}>
            {course.title}
          </Link>
          <span aria-hidden="true"> / </span>
          <span lang={course.language}>{entry.module.title}</span>
        </nav>
        <header className="item-header">
          <p className="item-kind muted small">
            <KindIcon kind={entry.item.kind} />
            <span>{t(`kind.${entry.item.kind}`)}</span>
            {entry.item.optional && <span className="badge">{t("item.optional")}</span>}
          </p>
          <h1 lang={course.language}>{entry.item.title}</h1>
        </header>

        {user ? (
          <ItemBody
            key={itemId}
            courseId={courseId}
            itemId={itemId}
            lang={course.language}
            enrolled={!!coursePage.data.enrollment}
            onProgress={(p) => setProgress(p.course)}
            onEnrolled={reloadCourse}
          />
        ) : (
          <div className="card gate">
            <p>{t("item.signInToView")}</p>
            <Link to={`/login?next=${encodeURIComponent(itemPath(courseId, itemId))}`} className="btn btn-primary">
              {t("nav.login")}
            </Link>
          </div>
        )}

        <nav className="item-nav" aria-label={t("item.navLabel")}>
          {prev ? (
            <Link to={itemPath(course.id, prev.id)} className="btn btn-secondary item-prev" rel="prev">
              <span aria-hidden="true">←</span>
              <span>
                <span className="item-nav-dir">{t("item.previous")}</span>
                <span className="item-nav-title" lang={course.language}>{prev.title}</span>
              </span>
            </Link>
          ) : (
            <span />
          )}
          {next ? (
            <Link to={itemPath(course.id, next.id)} className="btn btn-primary item-next" rel="next" data-testid="next-item">
              <span>
                <span className="item-nav-dir">{t("item.next")}</span>
                <span className="item-nav-title" lang={course.language}>{next.title}</span>
              </span>
              <span aria-hidden="true">→</span>
            </Link>
          ) : (
            <Link to={coursePath(course.id)} className="btn btn-primary item-next">
              {t("item.backToCourse")}
            </Link>
          )}
        </nav>
      </article>
    </div>
  );
}

function ItemBody(props: {
  courseId: string;
  itemId: string;
  lang: string;
  enrolled: boolean;
  onProgress(p: ProgressResponse): void;
  onEnrolled(): void;
}) {
  const { t } = useT();
  const { client } = useSession();
  const { courseId, itemId, lang, onProgress } = props;
  const [page, reload] = useAsync((s) => client.item(courseId, itemId, s), [client, courseId, itemId]);
  const [status, setStatus] = useState<ItemStatus | null>(null);

  const progress = (p: ProgressResponse) => {
    setStatus(p.status);
    onProgress(p);
  };

  // Record the opening (a reading completes on open).
  useEffect(() => {
    if (page.state !== "ready") return;
    setStatus(page.data.status);
    let live = true;
    client.openItem(courseId, itemId).then(
      (p) => {
        if (!live) return;
        setStatus(p.status);
        onProgress(p);
      },
      () => {},
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [page.state, client, courseId, itemId]);

  if (page.state === "loading") return <Loading />;
  if (page.state === "error") {
    const e = page.error;
    if (e instanceof ApiError && e.status === 403 && !props.enrolled)
      return <EnrollGate courseId={courseId} message={e.fromServer ? e.message : t("item.enrollFirst")} onEnrolled={() => { props.onEnrolled(); reload(); }} />;
    return <ErrorMessage error={e} onRetry={reload} />;
  }
  return <ItemContent page={page.data} status={status ?? page.data.status} courseId={courseId} lang={lang} onProgress={progress} />;
}

function ItemContent({ page, status, courseId, lang, onProgress }: { page: ItemPageData; status: ItemStatus; courseId: string; lang: string; onProgress(p: ProgressResponse): void }) {
  const { t, dateTime, percent } = useT();
  const item = page.item;
  return (
    <div className="item-body">
      <p className="item-status" data-testid="item-status" data-status={status.status}>
        <StatusIcon status={status.status} decorative />
        <span>
          {status.status === "completed" && status.completedAt
            ? t("item.completedAt", { date: dateTime(status.completedAt) })
            : t(`status.${status.status}`)}
        </span>
        {item.kind === "video" && status.watchedPercent != null && (
          <span className="muted small">· {t("video.watched", { percent: percent(status.watchedPercent) })}</span>
        )}
      </p>

      {item.video && (
        <VideoPlayer courseId={courseId} itemId={item.id} video={item.video} status={status} lang={lang} onProgress={onProgress} />
      )}
      {item.reading && (
        <div className="prose card" lang={lang} dangerouslySetInnerHTML={{ __html: withoutRepeatedTitle(item.reading.html, item.title) }} />
      )}
      {item.quiz && (
        <Quiz courseId={courseId} itemId={item.id} quiz={item.quiz} submissions={page.submissions} lang={lang} onProgress={onProgress} />
      )}
      {item.assignment && (
        <>
          <div className="alert alert-info">{t("assignment.later")}</div>
          <div className="prose card" lang={lang} dangerouslySetInnerHTML={{ __html: withoutRepeatedTitle(item.assignment.html, item.title) }} />
        </>
      )}
    </div>
  );
}

function EnrollGate({ courseId, message, onEnrolled }: { courseId: string; message: string; onEnrolled(): void }) {
  const { t } = useT();
  const { client } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="card gate" role="alert">
      <p>{message}</p>
      <button
        type="button"
        className="btn btn-primary"
        data-testid="enroll-button"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await client.enroll(courseId);
            onEnrolled();
          } catch (err) {
            setError(err);
            setBusy(false);
          }
        }}
      >
        {busy ? t("course.enrolling") : t("course.enroll")}
      </button>
      {error != null && <ErrorMessage error={error} />}
    </div>
  );
}
