import type { ReactNode } from "react";
import { ApiError } from "../api/client";
import { DEFAULT_LOCALE, type Locale } from "../i18n/core";
import { useI18n, type I18n } from "../i18n/react";
import type { UiKey } from "../i18n/messages";

/**
 * The text to show for an error. In English, the server's message when it
 * sent one (it is written for people); in other languages the translated
 * text for the error's code, since the server speaks English only.
 */
export function errorText(err: unknown, t: I18n<UiKey>["t"], locale: Locale = DEFAULT_LOCALE): string {
  if (err instanceof ApiError) {
    if (err.fromServer && err.message && locale === DEFAULT_LOCALE) return err.message;
    return t(`error.${err.code}` as UiKey);
  }
  return t("error.internal");
}

export function ErrorMessage({ error, onRetry, children }: { error: unknown; onRetry?: () => void; children?: ReactNode }) {
  const { t, locale } = useI18n<UiKey>();
  // A reference helps support find a server failure in the logs; for a
  // wrong password or a missing field it is only noise.
  const ref = error instanceof ApiError && error.status >= 500 ? error.requestId : undefined;
  return (
    <div className="alert alert-error" role="alert">
      <p>{errorText(error, t, locale)}</p>
      {/* Elsewhere than in English, the server's own words as a detail. */}
      {error instanceof ApiError && error.fromServer && locale !== DEFAULT_LOCALE && error.code !== "internal" && (
        <p className="small" lang="en">
          {error.message}
        </p>
      )}
      {ref && <p className="muted small">{t("error.reference", { id: ref })}</p>}
      {children}
      {onRetry && (
        <button type="button" className="btn btn-secondary" onClick={onRetry}>
          {t("retry")}
        </button>
      )}
    </div>
  );
}

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n<UiKey>();
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t("loading")}</span>
    </div>
  );
}

/** A progress bar for 0-100; its accessible name says how much is done. */
export function ProgressBar({ percent, label, testId }: { percent: number; label?: string; testId?: string }) {
  const { t, percent: fmt } = useI18n<UiKey>();
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const text = fmt(p);
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={p}
        aria-valuetext={t("progress.complete", { percent: text })}
        aria-label={label}
      >
        <div className="progress-fill" style={{ width: `${p}%` }} />
      </div>
      <span className="progress-text" data-testid={testId}>
        {text}
      </span>
    </div>
  );
}
