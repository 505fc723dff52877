import { Component, type ErrorInfo, type ReactNode } from "react";
import { useI18n } from "../i18n/react";
import type { UiKey } from "../i18n/messages";

interface State {
  error: unknown;
}

/**
 * Shows a message instead of a blank page when a screen fails to render.
 * Give it key={path} so that navigating elsewhere starts afresh.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error("render failed", error, info.componentStack);
  }

  override render() {
    return this.state.error != null ? <RenderFailed /> : this.props.children;
  }
}

function RenderFailed() {
  const { t } = useI18n<UiKey>();
  return (
    <div className="container">
      <div className="alert alert-error" role="alert">
        <p>
          <strong>{t("error.title")}</strong>
        </p>
        <p>{t("error.render")}</p>
        <button type="button" className="btn btn-secondary" onClick={() => window.location.reload()}>
          {t("reload")}
        </button>
      </div>
    </div>
  );
}
