import { ErrorMessage, Link, Loading, ProgressBar, useAsync, useDocumentTitle, useSession, type EnrollmentWithCourse } from "@lyceum/ui";
import { coursePath } from "../course";
import { useT } from "../i18n";

export function MyCoursesPage() {
  const { t } = useT();
  const { client, user, ready } = useSession();
  useDocumentTitle(t("nav.myCourses"));

  if (!ready) return <div className="container"><Loading /></div>;
  if (!user)
    return (
      <div className="container narrow center-page">
        <h1>{t("nav.myCourses")}</h1>
        <p className="muted">{t("me.signedOut")}</p>
        <Link to={`/login?next=${encodeURIComponent("/me")}`} className="btn btn-primary">
          {t("nav.login")}
        </Link>
      </div>
    );
  return <Enrollments key={user.id} load={(s) => client.enrollments(s)} />;
}

function Enrollments({ load }: { load: (s: AbortSignal) => Promise<{ enrollments: EnrollmentWithCourse[] }> }) {
  const { t, date } = useT();
  const [list, reload] = useAsync(load, []);
  return (
    <div className="container">
      <div className="page-intro">
        <h1>{t("nav.myCourses")}</h1>
      </div>
      {list.state === "loading" && <Loading />}
      {list.state === "error" && <ErrorMessage error={list.error} onRetry={reload} />}
      {list.state === "ready" &&
        (list.data.enrollments.length === 0 ? (
          <div className="card empty-card">
            <p>{t("me.empty")}</p>
            <Link to="/" className="btn btn-primary">
              {t("me.browse")}
            </Link>
          </div>
        ) : (
          <ul className="enrollment-list">
            {list.data.enrollments.map(({ enrollment, course, percent }) => (
              <li key={course.id} className="card enrollment-card">
                <div className="enrollment-main">
                  <h2 className="h3">
                    <Link to={coursePath(course.id)} lang={course.language}>
                      {course.title}
                    </Link>
                  </h2>
                  <p className="muted small">
                    {enrollment.completedAt
                      ? t("course.completedOn", { date: date(enrollment.completedAt) })
                      : t("course.enrolledOn", { date: date(enrollment.enrolledAt) })}
                  </p>
                </div>
                <div className="enrollment-progress">
                  <ProgressBar percent={percent} label={t("course.progressOf", { title: course.title })} />
                  <div className="enrollment-actions">
                    {enrollment.completedAt && <span className="badge badge-success">{t("status.completed")}</span>}
                    <Link to={coursePath(course.id)} className="btn btn-secondary btn-small">
                      {enrollment.completedAt ? t("course.review") : percent > 0 ? t("course.continue") : t("course.start")}
                      <span className="visually-hidden">: {course.title}</span>
                    </Link>
                  </div>
                </div>
              </li>
            ))}
          </ul>
        ))}
    </div>
  );
}
