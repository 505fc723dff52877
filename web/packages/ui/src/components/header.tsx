import { useState } from "react";
import { LOCALES, LOCALE_NAMES, isLocale } from "../i18n/core";
import { useI18n } from "../i18n/react";
import type { UiKey } from "../i18n/messages";
import { href, Link, navigate, useLocation } from "../router";
import { useSession } from "../session";
import { appHref, appsFor, type AppName } from "../roles";

export function LanguageSwitcher() {
  const { locale, setLocale, t } = useI18n<UiKey>();
  return (
    <label className="lang">
      <span className="visually-hidden">{t("nav.language")}</span>
      <svg width="18" height="18" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
        <path
          d="M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16zM2 10h16M10 2c2.2 2.2 3.2 5 3.2 8s-1 5.8-3.2 8c-2.2-2.2-3.2-5-3.2-8s1-5.8 3.2-8z"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.4"
        />
      </svg>
      <select value={locale} onChange={(e) => isLocale(e.target.value) && setLocale(e.target.value)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}

export interface NavLink {
  to: string;
  label: string;
  /** Shown only when signed in. */
  signedIn?: boolean;
  /** Other path prefixes under which the link is the current section. */
  activeFor?: string[];
}

export interface AppHeaderProps {
  links: NavLink[];
  appName?: string;
  /**
   * For apps without sign-in pages of their own: the browser URL of the login
   * page (learn's "/login"); "Log in" goes there with ?next= this page, and
   * there is no "Sign up".
   */
  loginUrl?: string;
  /** Which app this is: the header links to the others the user may use. */
  app: AppName;
}

const appLabel = { learn: "apps.learn", data: "apps.data", admin: "apps.admin" } as const;

/** The top bar of every app: brand, the app's links, language, and who is signed in. */
export function AppHeader({ links, appName, loginUrl, app }: AppHeaderProps) {
  const { t } = useI18n<UiKey>();
  const { user, ready, logout } = useSession();
  const { path, query } = useLocation();
  const [busy, setBusy] = useState(false);
  const next = path === "/login" || path === "/signup" ? "" : `?next=${encodeURIComponent(path)}`;
  const search = query.toString();
  const here = href(path) + (search ? `?${search}` : "");

  async function doLogout() {
    setBusy(true);
    try {
      await logout();
    } finally {
      setBusy(false);
      navigate("/");
    }
  }

  return (
    <header className="app-header">
      <a className="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <div className="app-header-inner">
        <Link to="/" className="brand">
          <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
            <rect width="32" height="32" rx="8" fill="currentColor" />
            <path d="M8 23h16M10 21V12M16 21V12M22 21V12M7 11l9-5 9 5z" stroke="#fff" strokeWidth="2" fill="none" strokeLinejoin="round" />
          </svg>
          <span>{t("brand")}</span>
          {appName && <span className="brand-app">{appName}</span>}
        </Link>
        <nav aria-label={t("nav.main")} className="app-nav">
          {links
            .filter((l) => !l.signedIn || user)
            .map((l) => {
              const under = (p: string) => (p === "/" ? path === "/" : path === p || path.startsWith(p + "/"));
              const active = under(l.to) || (l.activeFor ?? []).some(under);
              return (
                <Link key={l.to} to={l.to} aria-current={active ? "page" : undefined}>
                  {l.label}
                </Link>
              );
            })}
        </nav>
        <div className="app-header-end">
          {ready && (
            <nav aria-label={t("apps.nav")} className="app-switch">
              {appsFor(user?.role)
                .filter((a) => a !== app)
                .map((a) => (
                  <a key={a} href={appHref[a]} className="home-link" data-app={a}>
                    {t(appLabel[a])}
                  </a>
                ))}
            </nav>
          )}
          <LanguageSwitcher />
          {ready &&
            (user ? (
              <>
                {app === "learn" ? (
                  <Link to="/settings" className="user-name" title={t("nav.settingsOf", { name: user.name })}>
                    <span aria-hidden="true">{user.name}</span>
                    <span className="visually-hidden">{t("nav.settingsOf", { name: user.name })}</span>
                  </Link>
                ) : (
                  <a href="/settings" className="user-name" title={t("nav.settingsOf", { name: user.name })}>
                    <span aria-hidden="true">{user.name}</span>
                    <span className="visually-hidden">{t("nav.settingsOf", { name: user.name })}</span>
                  </a>
                )}
                <button type="button" className="btn btn-ghost" onClick={doLogout} disabled={busy}>
                  {t("nav.logout")}
                </button>
              </>
            ) : loginUrl ? (
              <a href={`${loginUrl}?next=${encodeURIComponent(here)}`} className="btn btn-primary btn-small">
                {t("nav.login")}
              </a>
            ) : (
              <>
                <Link to={`/login${next}`} className="btn btn-ghost">
                  {t("nav.login")}
                </Link>
                <Link to={`/signup${next}`} className="btn btn-primary btn-small">
                  {t("nav.signup")}
                </Link>
              </>
            ))}
        </div>
      </div>
    </header>
  );
}
