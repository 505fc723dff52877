import { Link, useDocumentTitle } from "@lyceum/ui";
import { useT } from "../i18n";

export function NotFoundPage() {
  const { t } = useT();
  useDocumentTitle(t("notFound.title"));
  return (
    <div className="container narrow center-page">
      <h1>{t("notFound.title")}</h1>
      <p className="muted">{t("notFound.body")}</p>
      <Link to="/" className="btn btn-primary">
        {t("notFound.home")}
      </Link>
    </div>
  );
}
