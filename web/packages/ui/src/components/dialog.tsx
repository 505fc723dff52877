import { useEffect, useRef, type KeyboardEvent, type ReactNode } from "react";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

interface DialogProps {
  labelledBy: string;
  describedBy?: string;
  className?: string;
  testId?: string;
  onEscape?: () => void;
  children: ReactNode;
}

/**
 * A modal dialog drawn where it is placed (e.g. over a video): it is
 * scrolled into view (whole when it fits the screen, else from its top,
 * below the sticky header: html's scroll-padding-top), focus moves into it
 * (to the element marked data-autofocus, else the first focusable one), Tab
 * stays inside it, and focus returns where it was on close.
 */
export function Dialog({ labelledBy, describedBy, className, testId, onEscape, children }: DialogProps) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const el = ref.current;
    if (el) {
      const first = el.querySelector<HTMLElement>("[data-autofocus]") ?? el.querySelector<HTMLElement>(FOCUSABLE) ?? el;
      // Focusing scrolls only as far as the focused element: on a phone the
      // dialog's buttons would stay below the fold. Show the dialog instead.
      first.focus({ preventScroll: true });
      el.scrollIntoView?.({ block: "nearest", inline: "nearest" });
    }
    return () => {
      if (before && document.contains(before)) before.focus();
    };
  }, []);

  function keyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === "Escape" && onEscape) {
      e.stopPropagation();
      onEscape();
      return;
    }
    if (e.key !== "Tab" || !ref.current) return;
    const els = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => x.offsetParent !== null || x === document.activeElement);
    if (els.length === 0) {
      e.preventDefault();
      return;
    }
    const first = els[0]!;
    const last = els[els.length - 1]!;
    if (e.shiftKey && (document.activeElement === first || document.activeElement === ref.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  return (
    // Keys inside the dialog: Escape closes it, Tab stays in it (the dialog pattern).
    // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
    <div
      ref={ref}
      role="dialog"
      aria-modal="true"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      tabIndex={-1}
      className={className ? `dialog ${className}` : "dialog"}
      data-testid={testId}
      onKeyDown={keyDown}
    >
      {children}
    </div>
  );
}
