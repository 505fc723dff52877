// Who can't use the query page: signed-out visitors (sent to the learner
// site's login and back) and learners and instructors.
import { href, useDocumentTitle, useLocation } from "@lyceum/ui";
import { useT } from "../i18n";

export function SignedOutPage() {
  const { t } = useT();
  const { path, query } = useLocation();
  useDocumentTitle(t("gate.signInTitle"), t("app.title"));
  const search = query.toString();
  const next = href(path) + (search ? `?${search}` : "");
  return (
    <div className="data-container narrow gate">
      <h1>{t("gate.signInTitle")}</h1>
      <p>{t("gate.signInText")}</p>
      <p>
        <a className="btn btn-primary" href={`/login?next=${encodeURIComponent(next)}`} data-testid="login-link">
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
    <div className="data-container narrow gate" data-testid="not-allowed">
      <h1>{t("gate.forbiddenTitle")}</h1>
      <p>{t("gate.forbiddenText")}</p>
      <p>{t("gate.forbiddenHelp")}</p>
      <p>
        <a className="btn btn-primary" href="/">
          {t("nav.learnerSite")}
        </a>
      </p>
    </div>
  );
}

export function NotFoundPage() {
  const { t } = useT();
  useDocumentTitle(t("notFound.title"), t("app.title"));
  return (
    <div className="data-container narrow">
      <h1>{t("notFound.title")}</h1>
      <p>{t("notFound.text")}</p>
    </div>
  );
}
