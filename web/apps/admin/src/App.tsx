import { useEffect, useRef, type ReactNode } from "react";
import { AppHeader, createClient, ErrorBoundary, I18nProvider, Loading, matchPath, SessionProvider, useLocation, useSession } from "@lyceum/ui";
import { catalogs, useT } from "./i18n";
import { UsersPage } from "./pages/Users";
import { UserPage } from "./pages/User";
import { CoursesPage } from "./pages/Courses";
import { AuditPage } from "./pages/Audit";
import { NotAllowedPage, NotFoundPage, SignedOutPage } from "./pages/Gate";

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

function route(path: string): ReactNode {
  let m: Record<string, string> | null;
  if (path === "/") return <UsersPage />;
  if ((m = matchPath("/users/:id", path))) return <UserPage key={m.id} userId={m.id!} />;
  if (path === "/courses") return <CoursesPage />;
  if (path === "/audit") return <AuditPage />;
  return <NotFoundPage />;
}

function Shell() {
  const { t } = useT();
  const { path } = useLocation();
  const { user, ready } = useSession();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
  }, [path]);
  const admin = user?.role === "admin";

  return (
    <>
      <AppHeader
        appName={t("app.name")}
        loginUrl="/login"
        app="admin"
        links={
          admin
            ? [
                { to: "/", label: t("nav.users"), activeFor: ["/users"], signedIn: true },
                { to: "/courses", label: t("nav.courses"), signedIn: true },
                { to: "/audit", label: t("nav.audit"), signedIn: true },
              ]
            : []
        }
      />
      <main id="main" ref={mainRef} tabIndex={-1} className="admin-container">
        {!ready ? <Loading /> : !user ? <SignedOutPage /> : !admin ? <NotAllowedPage /> : <ErrorBoundary key={path}>{route(path)}</ErrorBoundary>}
      </main>
    </>
  );
}
