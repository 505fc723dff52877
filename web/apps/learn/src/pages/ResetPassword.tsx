// A one-time password reset link from an admin: /reset-password#token=…
// (the token is in the fragment, which the browser never sends).
import { useId, useState, type FormEvent } from "react";
import { ApiError, ErrorMessage, Link, useDocumentTitle, useSession } from "@lyceum/ui";
import { useT } from "../i18n";
import { Field } from "./Auth";

export function ResetPasswordPage() {
  const { t } = useT();
  const { client } = useSession();
  const id = useId();
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "";
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useDocumentTitle(t("reset.title"));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await client.account.resetPassword(token, password);
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const weak = error instanceof ApiError && error.field === "password";
  const stale = error instanceof ApiError && error.code === "not_found";

  return (
    <div className="container narrow">
      <div className="card auth-card">
        <h1>{t("reset.title")}</h1>
        {done ? (
          <p role="status">
            {t("reset.done")} <Link to="/login">{t("nav.login")}</Link>
          </p>
        ) : !token ? (
          <p className="alert alert-error">{t("reset.noToken")}</p>
        ) : (
          <form onSubmit={submit}>
            <Field id={`${id}-pw`} label={t("settings.newPassword")} error={weak ? t("auth.passwordRule") : undefined} hint={t("auth.passwordHint")}>
              <input id={`${id}-pw`} className="input" type="password" autoComplete="new-password" required minLength={10} maxLength={256}
                value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby={`${id}-pw-hint`} />
            </Field>
            {stale && (
              <p className="alert alert-error" role="alert">
                {t("reset.stale")}
              </p>
            )}
            {error != null && !weak && !stale && <ErrorMessage error={error} />}
            <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
              {t("reset.submit")}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}
