import { lazy, Suspense, useEffect, useRef, type ReactNode } from "react";
import {
  AppHeader,
  createClient,
  ErrorBoundary,
  I18nProvider,
  Loading,
  matchPath,
  SessionProvider,
  useLocation,
  useSession,
} from "@lyceum/ui";
import { catalogs, useT } from "./i18n";
import { CatalogPage } from "./pages/Catalog";
import { CoursePage } from "./pages/Course";
import { AuthPage } from "./pages/Auth";
import { MyCoursesPage } from "./pages/MyCourses";
import { NotFoundPage } from "./pages/NotFound";
import { ResetPasswordPage } from "./pages/ResetPassword";
import { SettingsPage } from "./pages/Settings";

// The player is the largest screen: loaded when first needed.
const ItemPage = lazy(() => import("./pages/Item"));

const client = createClient();

export function App() {
  return (
    <I18nProvider catalogs={catalogs}>
      <SessionProvider client={client}>
        <Shell />
      </SessionProvider>
    </I18nProvider>
  );
}

interface Route {
  page: ReactNode;
  courseId?: string | undefined;
  itemId?: string | undefined;
}

function route(path: string): Route {
  let m: Record<string, string> | null;
  if (path === "/") return { page: <CatalogPage /> };
  if ((m = matchPath("/courses/:id", path))) return { page: <CoursePage courseId={m.id!} />, courseId: m.id };
  if ((m = matchPath("/courses/:id/items/:itemId", path)))
    return { page: <ItemPage courseId={m.id!} itemId={m.itemId!} />, courseId: m.id, itemId: m.itemId };
  if (path === "/me") return { page: <MyCoursesPage /> };
  if (path === "/login") return { page: <AuthPage key="login" mode="login" /> };
  if (path === "/signup") return { page: <AuthPage key="signup" mode="signup" /> };
  if (path === "/settings") return { page: <SettingsPage /> };
  if (path === "/reset-password") return { page: <ResetPasswordPage /> };
  return { page: <NotFoundPage /> };
}

function Shell() {
  const { t } = useT();
  const { path } = useLocation();
  const { client, ready, user } = useSession();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  const r = route(path);

  // After in-app navigation, move focus to the new page for screen readers.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
  }, [path]);

  // Page views of signed-in learners go to the event log once the session
  // (and its CSRF token) is known; the server takes no events from anyone else.
  const signedIn = user != null;
  useEffect(() => {
    if (!ready || !signedIn) return;
    client.event({ type: "page_viewed", courseId: r.courseId, itemId: r.itemId, payload: { path } }).catch(() => {});
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path, ready, signedIn]);

  return (
    <>
      <AppHeader
        app="learn"
        links={[
          { to: "/", label: t("nav.courses"), activeFor: ["/courses"] },
          { to: "/me", label: t("nav.myCourses"), signedIn: true },
        ]}
      />
      <main id="main" ref={mainRef} tabIndex={-1}>
        {/* Moving between items of one course keeps the player (and its outline) mounted. */}
        <ErrorBoundary key={r.itemId ? `player:${r.courseId}` : path}>
          <Suspense fallback={<div className="container"><Loading /></div>}>{r.page}</Suspense>
        </ErrorBoundary>
      </main>
    </>
  );
}
