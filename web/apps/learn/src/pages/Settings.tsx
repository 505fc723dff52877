// Account settings: profile, language and time zone, password, sessions,
// the data export, and deleting the account.
import { useId, useMemo, useState, type FormEvent } from "react";
import {
  ApiError,
  ErrorMessage,
  LOCALE_NAMES,
  LOCALES,
  Loading,
  navigate,
  useAsync,
  useDocumentTitle,
  useSession,
  type User,
} from "@lyceum/ui";
import { useT } from "../i18n";
import { AuthPage, Field } from "./Auth";

export function SettingsPage() {
  const { t } = useT();
  const { user, ready } = useSession();
  useDocumentTitle(t("settings.title"));
  if (!ready) return <Loading />;
  if (!user) return <AuthPage mode="login" />;
  return (
    <div className="container narrow settings">
      <h1>{t("settings.title")}</h1>
      <ProfileForm user={user} />
      <PasswordForm />
      <Sessions />
      <section className="card settings-section" aria-labelledby="settings-data">
        <h2 id="settings-data">{t("settings.dataTitle")}</h2>
        <p className="muted">{t("settings.dataText")}</p>
        <a className="btn" href="/api/v1/me/export" download data-testid="export-link">
          {t("settings.download")}
        </a>
      </section>
      <DeleteAccount />
    </div>
  );
}

/** Every IANA zone the browser knows, or none when it cannot list them. */
function timeZones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    return [];
  }
}

function ProfileForm({ user }: { user: User }) {
  const { t, dateTime } = useT();
  const { client, updated } = useSession();
  const id = useId();
  const [name, setName] = useState(user.name);
  const [language, setLanguage] = useState(user.language);
  const [timeZone, setTimeZone] = useState(user.timeZone);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const zones = useMemo(() => {
    const all = timeZones();
    return user.timeZone && !all.includes(user.timeZone) ? [user.timeZone, ...all] : all;
  }, [user.timeZone]);

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const res = await client.account.update({ name, language: language as "" | "en" | "es", timeZone });
      updated(res.user);
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const fieldError = (f: string) => (error instanceof ApiError && error.field === f ? error.message : undefined);

  return (
    <section className="card settings-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("settings.profileTitle")}</h2>
      <form onSubmit={save}>
        <Field id={`${id}-name`} label={t("auth.name")} error={fieldError("name")}>
          <input id={`${id}-name`} className="input" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <p className="muted small">{t("settings.email", { email: user.email })}</p>
        <Field id={`${id}-language`} label={t("settings.language")} error={fieldError("language")}>
          <select id={`${id}-language`} className="input" value={language} onChange={(e) => setLanguage(e.target.value)}>
            <option value="">{t("settings.browserDefault")}</option>
            {LOCALES.map((l) => (
              <option key={l} value={l} lang={l}>
                {LOCALE_NAMES[l]}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-tz`} label={t("settings.timeZone")} error={fieldError("timeZone")} hint={t("settings.timeZoneHint", { now: dateTime(new Date()) })}>
          <select id={`${id}-tz`} className="input" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} aria-describedby={`${id}-tz-hint`}>
            <option value="">{t("settings.browserDefault")}</option>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z.replaceAll("_", " ")}
              </option>
            ))}
          </select>
        </Field>
        {error != null && !fieldError("name") && !fieldError("language") && !fieldError("timeZone") && <ErrorMessage error={error} />}
        {saved && (
          <p className="alert alert-success" role="status">
            {t("settings.saved")}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t("settings.save")}
        </button>
      </form>
    </section>
  );
}

function PasswordForm() {
  const { t } = useT();
  const { client } = useSession();
  const id = useId();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function change(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await client.account.changePassword({ currentPassword: current, newPassword: next });
      setCurrent("");
      setNext("");
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const wrongCurrent = error instanceof ApiError && error.field === "currentPassword";
  const weakNew = error instanceof ApiError && error.field === "password";

  return (
    <section className="card settings-section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("settings.passwordTitle")}</h2>
      <p className="muted small">{t("settings.passwordText")}</p>
      <form onSubmit={change}>
        <Field id={`${id}-current`} label={t("settings.currentPassword")} error={wrongCurrent ? t("settings.wrongPassword") : undefined}>
          <input id={`${id}-current`} className="input" type="password" autoComplete="current-password" required value={current}
            onChange={(e) => setCurrent(e.target.value)} />
        </Field>
        <Field id={`${id}-new`} label={t("settings.newPassword")} error={weakNew ? t("auth.passwordRule") : undefined} hint={t("auth.passwordHint")}>
          <input id={`${id}-new`} className="input" type="password" autoComplete="new-password" required minLength={10} maxLength={256}
            value={next} onChange={(e) => setNext(e.target.value)} aria-describedby={`${id}-new-hint`} />
        </Field>
        {error != null && !wrongCurrent && !weakNew && <ErrorMessage error={error} />}
        {done && (
          <p className="alert alert-success" role="status">
            {t("settings.passwordChanged")}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {t("settings.changePassword")}
        </button>
      </form>
    </section>
  );
}

function Sessions() {
  const { t, dateTime } = useT();
  const { client } = useSession();
  const [list, reload] = useAsync((s) => client.account.sessions(s), [client]);
  const [error, setError] = useState<unknown>(null);

  async function end(id: string, current: boolean) {
    setError(null);
    try {
      await client.account.endSession(id);
      if (current) {
        navigate("/login", { replace: true });
        window.location.reload();
        return;
      }
      reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="card settings-section" aria-labelledby="settings-sessions">
      <h2 id="settings-sessions">{t("settings.sessionsTitle")}</h2>
      {list.state === "loading" && <Loading />}
      {list.state === "error" && <ErrorMessage error={list.error} onRetry={reload} />}
      {error != null && <ErrorMessage error={error} />}
      {list.state === "ready" && (
        <ul className="session-list" data-testid="sessions">
          {list.data.sessions.map((s) => (
            <li key={s.id}>
              <div>
                <strong>{deviceName(s.device) || t("settings.unknownDevice")}</strong>
                {s.current && <span className="badge">{t("settings.thisDevice")}</span>}
                <div className="muted small">
                  {t("settings.signedInAt", { when: dateTime(s.createdAt), addr: s.addr || "?" })}
                </div>
              </div>
              <button type="button" className="btn btn-ghost" onClick={() => end(s.id, !!s.current)}>
                {t("settings.endSession")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A User-Agent's browser and system, shortly: "Chrome on Linux". */
export function deviceName(ua: string): string {
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "";
  const system = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
  if (browser && system) return `${browser} · ${system}`;
  return browser || system || ua.slice(0, 60);
}

function DeleteAccount() {
  const { t } = useT();
  const { client } = useSession();
  const id = useId();
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function remove(e: FormEvent) {
    e.preventDefault();
    if (!window.confirm(t("settings.deleteConfirm"))) return;
    setBusy(true);
    setError(null);
    try {
      await client.account.delete(password);
      window.location.assign("/");
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  const wrong = error instanceof ApiError && error.field === "password";

  return (
    <section className="card settings-section danger" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t("settings.deleteTitle")}</h2>
      <p>{t("settings.deleteText")}</p>
      <form onSubmit={remove}>
        <Field id={`${id}-pw`} label={t("settings.deletePassword")} error={wrong ? t("settings.wrongPassword") : undefined}>
          <input id={`${id}-pw`} className="input" type="password" autoComplete="current-password" required value={password}
            onChange={(e) => setPassword(e.target.value)} />
        </Field>
        {error != null && !wrong && <ErrorMessage error={error} />}
        <button type="submit" className="btn btn-danger" disabled={busy}>
          {t("settings.deleteButton")}
        </button>
      </form>
    </section>
  );
}
