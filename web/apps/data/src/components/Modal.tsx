// A dialog over the page: a dimmed backdrop, focus kept inside, Escape closes.
import { useEffect, useId, type ReactNode } from "react";
import { Dialog } from "@lyceum/ui";
import { useT } from "../i18n";

export function Modal({ title, onClose, children, wide, testId }: { title: string; onClose(): void; children: ReactNode; wide?: boolean; testId?: string }) {
  const { t } = useT();
  const id = useId();
  useEffect(() => {
    const old = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      document.body.style.overflow = old;
    };
  }, []);
  return (
    <div className="modal-backdrop" role="presentation" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <Dialog labelledBy={`${id}-t`} className={wide ? "modal modal-wide" : "modal"} onEscape={onClose} testId={testId}>
        <div className="modal-head">
          <h2 id={`${id}-t`}>{title}</h2>
          <button type="button" className="btn btn-ghost btn-small modal-close" onClick={onClose} aria-label={t("close")}>
            <svg width="18" height="18" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
              <path d="M5 5l10 10M15 5L5 15" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </button>
        </div>
        <div className="modal-body">{children}</div>
      </Dialog>
    </div>
  );
}
