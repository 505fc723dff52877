import { useEffect, useId, useState, type FormEvent } from "react";
import { ApiError, ErrorMessage, Link, navigate, useDocumentTitle, useLocation, useSession } from "@lyceum/ui";
import { safeNext } from "../course";
import { useT } from "../i18n";

type Mode = "login" | "signup";

export function AuthPage({ mode }: { mode: Mode }) {
  const { t } = useT();
  const { client, user, ready, signedIn } = useSession();
  const { query } = useLocation();
  const next = safeNext(query.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const id = useId();
  const title = mode === "login" ? t("auth.loginTitle") : t("auth.signupTitle");
  useDocumentTitle(title);

  useEffect(() => {
    if (ready && user && !busy) navigate(next, { replace: true });
  }, [ready, user, busy, next]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = mode === "login" ? await client.login({ email, password }) : await client.signup({ email, password, name });
      signedIn(s);
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  // A validation error about one field is shown under that field, in the
  // viewer's language (the rules are known: see auth.*Rule).
  const fieldError = (f: "email" | "password" | "name") =>
    error instanceof ApiError && error.code === "invalid" && error.field === f ? t(`auth.${f}Rule`) : undefined;
  const shownUnderField = error instanceof ApiError && error.code === "invalid" && ["email", "password", "name"].includes(error.field ?? "");
  const formError = authError(error, mode, t);
  const other = mode === "login" ? "/signup" : "/login";
  const nextQuery = next === "/" ? "" : `?next=${encodeURIComponent(next)}`;

  return (
    <div className="container narrow">
      <div className="card auth-card">
        <h1>{title}</h1>
        <p className="muted">{mode === "login" ? t("auth.loginIntro") : t("auth.signupIntro")}</p>
        <form onSubmit={submit} noValidate={false}>
          {mode === "signup" && (
            <Field id={`${id}-name`} label={t("auth.name")} error={fieldError("name")}>
              <input
                id={`${id}-name`}
                className="input"
                type="text"
                autoComplete="name"
                required
                maxLength={100}
                value={name}
                onChange={(e) => setName(e.target.value)}
                aria-invalid={fieldError("name") ? true : undefined}
                aria-describedby={fieldError("name") ? `${id}-name-error` : undefined}
              />
            </Field>
          )}
          <Field id={`${id}-email`} label={t("auth.email")} error={fieldError("email")}>
            <input
              id={`${id}-email`}
              className="input"
              type="email"
              autoComplete="email"
              inputMode="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={fieldError("email") ? true : undefined}
              aria-describedby={fieldError("email") ? `${id}-email-error` : undefined}
            />
          </Field>
          <Field
            id={`${id}-password`}
            label={t("auth.password")}
            error={fieldError("password")}
            hint={mode === "signup" ? t("auth.passwordHint") : undefined}
          >
            <input
              id={`${id}-password`}
              className="input"
              type="password"
              autoComplete={mode === "login" ? "current-password" : "new-password"}
              required
              minLength={mode === "signup" ? 10 : undefined}
              maxLength={256}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={fieldError("password") ? true : undefined}
              aria-describedby={
                [fieldError("password") && `${id}-password-error`, mode === "signup" && `${id}-password-hint`].filter(Boolean).join(" ") ||
                undefined
              }
            />
          </Field>
          {error != null &&
            !shownUnderField &&
            (formError ? (
              <p className="alert alert-error" role="alert">
                {formError}
              </p>
            ) : (
              <ErrorMessage error={error} />
            ))}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? t("auth.working") : mode === "login" ? t("nav.login") : t("auth.createAccount")}
          </button>
        </form>
        <p className="center auth-switch">
          {mode === "login" ? t("auth.noAccount") : t("auth.haveAccount")}{" "}
          <Link to={other + nextQuery}>{mode === "login" ? t("nav.signup") : t("nav.login")}</Link>
        </p>
      </div>
    </div>
  );
}

/** The errors of signing in and up that have their own words. */
function authError(err: unknown, mode: Mode, t: ReturnType<typeof useT>["t"]): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.code === "unauthorized" && mode === "login") return t("auth.badCredentials");
  if (err.code === "conflict" && mode === "signup") return t("auth.emailTaken");
  if (err.code === "too_many_requests")
    return err.retryAfter ? t("auth.tooManyWait", { seconds: Math.ceil(err.retryAfter) }) : t("error.too_many_requests");
  return null;
}

export function Field(props: { id: string; label: string; error?: string | undefined; hint?: string | undefined; children: React.ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <span className="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      )}
      {props.error && (
        <span className="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </span>
      )}
    </div>
  );
}
