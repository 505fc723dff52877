import { useId, useState } from "react";
import { ErrorMessage, Link, Loading, navigate, useAsync, useDocumentTitle, useLocation, useSession } from "@lyceum/ui";
import { coursePath } from "../course";
import { useT } from "../i18n";

export function CatalogPage() {
  const { t } = useT();
  const { client } = useSession();
  const { query } = useLocation();
  const q = query.get("q") ?? "";
  const [text, setText] = useState(q);
  const id = useId();
  const [courses, reload] = useAsync((s) => client.courses(s, q ? { q } : {}), [client, q]);
  useDocumentTitle(t("catalog.title"));

  return (
    <div className="container">
      <div className="page-intro">
        <h1>{t("catalog.title")}</h1>
        <p className="muted">{t("catalog.intro")}</p>
        <form
          role="search"
          className="catalog-search"
          onSubmit={(e) => {
            e.preventDefault();
            const v = text.trim();
            navigate(v ? `/?q=${encodeURIComponent(v)}` : "/");
          }}
        >
          <label htmlFor={`${id}-q`} className="visually-hidden">
            {t("catalog.search")}
          </label>
          <input
            id={`${id}-q`}
            className="input"
            type="search"
            maxLength={200}
            placeholder={t("catalog.searchPlaceholder")}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" className="btn">
            {t("catalog.search")}
          </button>
        </form>
      </div>
      {courses.state === "loading" && <Loading />}
      {courses.state === "error" && <ErrorMessage error={courses.error} onRetry={reload} />}
      {courses.state === "ready" &&
        (courses.data.courses.length === 0 ? (
          <p className="empty">{q ? t("catalog.noMatch", { q }) : t("catalog.empty")}</p>
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
