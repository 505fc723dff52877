import { lazy, Suspense, useEffect, useRef, useSyncExternalStore, type ReactNode } from "react";
import { ApiError, AppHeader, createClient, ErrorBoundary, I18nProvider, Loading, matchPath, SessionProvider, useLocation, useSession } from "@lyceum/ui";
import { catalogs, useT } from "./i18n";
import { isForbidden, SchemaProvider, useSchema } from "./schema";
import { QueriesPage } from "./pages/Queries";
import { AdminPage } from "./pages/Admin";
import { TokensPage } from "./pages/Tokens";
import { NotAllowedPage, NotFoundPage, SignedOutPage } from "./pages/Gate";

// The editor page (CodeMirror, charts) is the largest: its own chunk, so that
// the other pages load without it.
const Workspace = lazy(() => import("./pages/Workspace").then((m) => ({ default: m.Workspace })));

const client = createClient();

export function App() {
  return (
    <I18nProvider catalogs={catalogs}>
      <SessionProvider client={client}>
        <SchemaProvider>
          <Shell />
        </SchemaProvider>
      </SessionProvider>
    </I18nProvider>
  );
}

interface Route {
  page: ReactNode;
  /** Pages with the same key stay mounted when the path changes (a scratch query becoming a run). */
  key: string;
}

function route(path: string): Route {
  let m: Record<string, string> | null;
  if (path === "/") return { page: <Workspace />, key: "scratch" };
  if ((m = matchPath("/runs/:id", path))) return { page: <Workspace runId={m.id!} />, key: "scratch" };
  if ((m = matchPath("/q/:id", path))) return { page: <Workspace key={m.id} queryId={m.id!} />, key: `q:${m.id}` };
  if (path === "/queries") return { page: <QueriesPage />, key: path };
  if (path === "/admin") return { page: <AdminPage />, key: path };
  if (path === "/tokens") return { page: <TokensPage />, key: path };
  return { page: <NotFoundPage />, key: "404" };
}

/** The width below which the header is laid out for a phone (data.css has the same). */
const PHONE = "(max-width: 640px)";

/** Whether a media query matches, following changes (a phone turned sideways). */
function useMedia(query: string): boolean {
  return useSyncExternalStore(
    (changed) => {
      const m = window.matchMedia(query);
      m.addEventListener("change", changed);
      return () => m.removeEventListener("change", changed);
    },
    () => window.matchMedia(query).matches,
    () => false,
  );
}

function Shell() {
  const { t } = useT();
  // On a phone the links sit beside the brand in one row: the short names.
  const phone = useMedia(PHONE);
  const { path } = useLocation();
  const { user, ready } = useSession();
  const { schema } = useSchema();
  const allowed = !isForbidden(schema);
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After in-app navigation to another page, move focus to it for screen
  // readers (not when the same page stays, e.g. a query's URL becoming its run's).
  const pageKey = route(path).key;
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
  }, [pageKey]);

  return (
    <>
      <AppHeader
        appName={t("app.name")}
        loginUrl="/login"
        app="data"
        links={
          allowed
            ? [
                { to: "/", label: t("nav.editor"), activeFor: ["/q", "/runs"], signedIn: true },
                { to: "/queries", label: t("nav.queries"), signedIn: true },
                { to: "/tokens", label: phone ? t("nav.tokensShort") : t("nav.tokens"), signedIn: true },
                ...(user?.role === "admin" ? [{ to: "/admin", label: phone ? t("nav.adminShort") : t("nav.admin"), signedIn: true }] : []),
              ]
            : []
        }
      />
      <main id="main" ref={mainRef} tabIndex={-1}>
        {!ready ? (
          <div className="data-container">
            <Loading />
          </div>
        ) : !user ? (
          <SignedOutPage />
        ) : (
          <Gate path={path} />
        )}
      </main>
    </>
  );
}

/** Learners and instructors get a page that says who the query page is for (the API answers 403). */
function Gate({ path }: { path: string }) {
  const { schema } = useSchema();
  if (schema.state === "loading") {
    return (
      <div className="data-container">
        <Loading />
      </div>
    );
  }
  if (isForbidden(schema)) return <NotAllowedPage />;
  if (schema.state === "error" && schema.error instanceof ApiError && schema.error.status === 401) return <SignedOutPage />;
  const r = route(path);
  return (
    <ErrorBoundary key={r.key}>
      <Suspense
        fallback={
          <div className="data-container">
            <Loading />
          </div>
        }
      >
        {r.page}
      </Suspense>
    </ErrorBoundary>
  );
}
