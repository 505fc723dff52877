// Who can't use the admin app: signed-out visitors (sent to the learner
// site's login and back) and everyone but admins.
import { href, useDocumentTitle, useLocation } from "@lyceum/ui";
import { useT } from "../i18n";

export function SignedOutPage() {
  const { t } = useT();
  const { path } = useLocation();
  useDocumentTitle(t("gate.signInTitle"), t("app.title"));
  return (
    <div className="narrow">
      <h1>{t("gate.signInTitle")}</h1>
      <p>
        <a className="btn btn-primary" href={`/login?next=${encodeURIComponent(href(path))}`}>
          {t("nav.login")}
        </a>
      </p>
    </div>
  );
}

export function NotAllowedPage() {
  const { t } = useT();
  useDocumentTitle(t("gate.forbiddenTitle"), t("app.title"));
  return (
    <div className="narrow" data-testid="not-allowed">
      <h1>{t("gate.forbiddenTitle")}</h1>
      <p>{t("gate.forbiddenText")}</p>
      <p>
        <a className="btn btn-primary" href="/">
          {t("apps.learn")}
        </a>
      </p>
    </div>
  );
}

export function NotFoundPage() {
  const { t } = useT();
  useDocumentTitle(t("notFound.title"), t("app.title"));
  return (
    <div className="narrow">
      <h1>{t("notFound.title")}</h1>
      <p>{t("notFound.text")}</p>
    </div>
  );
}
