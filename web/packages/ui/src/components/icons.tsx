import type { ItemKind } from "../api/client";
import { useI18n } from "../i18n/react";
import type { UiKey } from "../i18n/messages";

type Status = "not_started" | "in_progress" | "completed";

const svg = { width: 20, height: 20, viewBox: "0 0 20 20", "aria-hidden": true, focusable: false } as const;

/** A tick for done, a half circle for started, a ring for not started; with text for screen readers. */
export function StatusIcon({ status, decorative }: { status: Status; decorative?: boolean }) {
  const { t } = useI18n<UiKey>();
  return (
    <span className={`status-icon status-${status}`} title={decorative ? undefined : t(`status.${status}`)} aria-hidden={decorative || undefined}>
      {status === "completed" ? (
        <svg {...svg}>
          <circle cx="10" cy="10" r="9" fill="currentColor" />
          <path d="M5.5 10.5l3 3 6-6.5" fill="none" stroke="#fff" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      ) : status === "in_progress" ? (
        <svg {...svg}>
          <circle cx="10" cy="10" r="8" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M10 2a8 8 0 0 1 0 16z" fill="currentColor" />
        </svg>
      ) : (
        <svg {...svg}>
          <circle cx="10" cy="10" r="8" fill="none" stroke="currentColor" strokeWidth="2" />
        </svg>
      )}
      {!decorative && <span className="visually-hidden">{t(`status.${status}`)}</span>}
    </span>
  );
}

const kindPaths: Record<ItemKind, string> = {
  video: "M3 5.5A1.5 1.5 0 0 1 4.5 4h11A1.5 1.5 0 0 1 17 5.5v9a1.5 1.5 0 0 1-1.5 1.5h-11A1.5 1.5 0 0 1 3 14.5zM8.5 7.5v5l4-2.5z",
  reading: "M4 4h5a2 2 0 0 1 1 .3A2 2 0 0 1 11 4h5v11h-5a1 1 0 0 0-1 1 1 1 0 0 0-1-1H4z M10 5v11",
  quiz: "M10 3a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM8 8a2 2 0 1 1 2.8 1.8c-.5.3-.8.7-.8 1.2v.5M10 13.5v.5",
  assignment: "M6 3h6l3 3v11H6zM12 3v3h3M8 10h5M8 13h5",
};

export function KindIcon({ kind }: { kind: ItemKind }) {
  const { t } = useI18n<UiKey>();
  return (
    <span className="kind-icon" title={t(`kind.${kind}`)}>
      <svg {...svg}>
        <path d={kindPaths[kind]} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" strokeLinecap="round" />
      </svg>
      <span className="visually-hidden">{t(`kind.${kind}`)}</span>
    </span>
  );
}
