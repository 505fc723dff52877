import { ErrorMessage, Link, Loading, useAsync, useDocumentTitle, useSession } from "@lyceum/ui";
import { coursePath } from "../course";
import { useT } from "../i18n";

export function CatalogPage() {
  const { t } = useT();
  const { client } = useSession();
  const [courses, reload] = useAsync((s) => client.courses(s), [client]);
  useDocumentTitle(t("catalog.title"));

  return (
    <div className="container">
      <div className="page-intro">
        <h1>{t("catalog.title")}</h1>
        <p className="muted">{t("catalog.intro")}</p>
      </div>
      {courses.state === "loading" && <Loading />}
      {courses.state === "error" && <ErrorMessage error={courses.error} onRetry={reload} />}
      {courses.state === "ready" &&
        (courses.data.courses.length === 0 ? (
          <p className="empty">{t("catalog.empty")}</p>
        ) : (
          <ul className="course-grid" aria-label={t("catalog.title")}>
            {courses.data.courses.map((c) => (
              <li key={c.id} className="course-card card">
                <h2>
                  <Link to={coursePath(c.id)} className="stretched" lang={c.language}>
                    {c.title}
                  </Link>
                </h2>
                {c.summary && (
                  <p className="course-card-summary" lang={c.language}>
                    {c.summary}
                  </p>
                )}
                <p className="course-card-meta muted small">
                  <span>{t("course.items", { count: c.itemCount })}</span>
                  <LanguageName tag={c.language} />
                </p>
              </li>
            ))}
          </ul>
        ))}
    </div>
  );
}

/** A content language's name in the viewer's language, e.g. "Spanish". */
export function LanguageName({ tag }: { tag: string }) {
  const { locale, t } = useT();
  if (!tag) return null;
  let name = tag;
  try {
    name = new Intl.DisplayNames([locale], { type: "language" }).of(tag) ?? tag;
  } catch {
    // An invalid tag: show it as it is.
  }
  return <span>{t("course.language", { language: name })}</span>;
}
