// A tiny client-side router: the History API, <Link>, and path patterns
// like "/courses/:id". Paths inside the app are relative to the app's base
// (Vite's BASE_URL: "/" for learn, "/studio/" for studio).
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from "react";

const BASE = (import.meta.env?.BASE_URL ?? "/").replace(/\/?$/, "/");

const listeners = new Set<() => void>();

function subscribe(l: () => void) {
  listeners.add(l);
  window.addEventListener("popstate", l);
  return () => {
    listeners.delete(l);
    window.removeEventListener("popstate", l);
  };
}

function snapshot() {
  return window.location.pathname + window.location.search;
}

/** The app path for a browser path: "/studio/x" → "/x" under base "/studio/". */
export function appPath(pathname: string, base = BASE): string {
  if (base === "/") return pathname;
  if (pathname.startsWith(base)) return "/" + pathname.slice(base.length);
  if (pathname + "/" === base) return "/";
  return pathname;
}

/** The browser URL for an app path. */
export function href(to: string, base = BASE): string {
  return base === "/" ? to : base + to.replace(/^\//, "");
}

/**
 * The other apps served beside learn (each its own page, not a route of
 * learn's router): learn's login can send people back to /data/… with ?next=.
 */
export const OTHER_APP_BASES = ["/studio/", "/data/", "/admin/"];

/** True when an app path of the app at base is really another app's page. */
export function isOtherApp(to: string, base = BASE): boolean {
  if (base !== "/") return false;
  const p = to.split(/[?#]/)[0]!;
  return OTHER_APP_BASES.some((b) => p === b.slice(0, -1) || p.startsWith(b));
}

let leavingTo: string | null = null;

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (isOtherApp(to)) {
    // Another app: load its page (once, however often we are asked).
    if (leavingTo === to) return;
    leavingTo = to;
    if (opts.replace) window.location.replace(to);
    else window.location.assign(to);
    return;
  }
  const url = href(to);
  if (url === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  window.scrollTo(0, 0);
  for (const l of listeners) l();
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

export function useLocation(): Location {
  const s = useSyncExternalStore(subscribe, snapshot, () => "/");
  const url = new URL(s, "http://x");
  return { path: appPath(url.pathname), query: url.searchParams };
}

/** Matches "/courses/:id" against a path; params are decoded. Null when it doesn't match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const ps = pattern.split("/").filter(Boolean);
  const xs = path.split("/").filter(Boolean);
  if (ps.length !== xs.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const x = xs[i]!;
    if (p.startsWith(":")) {
      try {
        params[p.slice(1)] = decodeURIComponent(x);
      } catch {
        return null;
      }
    } else if (p !== x) return null;
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string; children: ReactNode };

/** An <a> that navigates inside the app without reloading. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  function click(e: MouseEvent<HTMLAnchorElement>) {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (rest.target && rest.target !== "_self") return;
    e.preventDefault();
    navigate(to);
  }
  return (
    <a href={href(to)} onClick={click} {...rest}>
      {children}
    </a>
  );
}
