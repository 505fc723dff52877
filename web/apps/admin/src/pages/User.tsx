// One account: its profile, enrollments, sessions, tokens and latest
// events, and what an admin may do to it.
import { useId, useState } from "react";
import { ApiError, ErrorMessage, Link, Loading, useAsync, useDocumentTitle, useSession, type Schemas } from "@lyceum/ui";
import { useT } from "../i18n";

const ROLES = ["learner", "instructor", "analyst", "admin"] as const;

export function UserPage({ userId }: { userId: string }) {
  const { t, date, dateTime } = useT();
  const { client, user: me } = useSession();
  const id = useId();
  const [detail, reload] = useAsync((s) => client.admin.user(userId, s), [client, userId]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");
  const [resetLink, setResetLink] = useState<{ url: string; expiresAt: string } | null>(null);
  useDocumentTitle(detail.state === "ready" ? detail.data.user.name || t("users.deletedName") : t("users.title"), t("app.title"));

  if (detail.state === "loading") return <Loading />;
  if (detail.state === "error") {
    if (detail.error instanceof ApiError && detail.error.status === 404) return <p>{t("user.notFound")}</p>;
    return <ErrorMessage error={detail.error} onRetry={reload} />;
  }
  const { user, enrollments, sessions, apiTokens, recentEvents } = detail.data;
  const self = me?.id === user.id;
  const deleted = user.status === "deleted";

  async function act(fn: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(null);
    setNotice("");
    try {
      await fn();
      setNotice(done);
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <nav className="breadcrumb" aria-label={t("breadcrumb")}>
        <Link to="/">{t("nav.users")}</Link>
      </nav>
      <h1>{user.name || t("users.deletedName")}</h1>
      <p className="muted">
        {user.email} · {t(`role.${user.role}`)} · <span data-testid="user-status">{t(`status.${user.status}`)}</span> ·{" "}
        {t("user.signedUpOn", { date: date(user.createdAt) })}
      </p>
      {notice && (
        <p className="alert alert-success" role="status">
          {notice}
        </p>
      )}
      {error != null && <ErrorMessage error={error} />}
      {!self && !deleted && (
        <section className="card" aria-labelledby={`${id}-actions`}>
          <h2 id={`${id}-actions`}>{t("user.actions")}</h2>
          <div className="actions">
            <label htmlFor={`${id}-role`}>{t("users.role")}</label>
            <select
              id={`${id}-role`}
              className="input"
              value={user.role}
              disabled={busy}
              onChange={(e) => {
                const role = e.target.value as Schemas["Role"];
                void act(() => client.admin.setRole(user.id, role), t("user.roleChanged", { role: t(`role.${role}`) }));
              }}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            {user.status === "active" ? (
              <button
                type="button"
                className="btn btn-danger"
                disabled={busy}
                onClick={() => window.confirm(t("user.deactivateConfirm")) && act(() => client.admin.deactivate(user.id), t("user.deactivated"))}
              >
                {t("user.deactivate")}
              </button>
            ) : (
              <button type="button" className="btn" disabled={busy} onClick={() => act(() => client.admin.reactivate(user.id), t("user.reactivated"))}>
                {t("user.reactivate")}
              </button>
            )}
            <button type="button" className="btn" disabled={busy} onClick={() => act(() => client.admin.signOut(user.id), t("user.signedOut"))}>
              {t("user.signOut")}
            </button>
            <button
              type="button"
              className="btn"
              disabled={busy}
              onClick={() =>
                act(async () => {
                  const r = await client.admin.passwordReset(user.id);
                  setResetLink({ url: window.location.origin + r.path, expiresAt: r.expiresAt });
                }, t("user.resetIssued"))
              }
            >
              {t("user.reset")}
            </button>
          </div>
          {resetLink && (
            <div className="alert" data-testid="reset-link">
              <p>{t("user.resetText", { until: dateTime(resetLink.expiresAt) })}</p>
              <code className="reset-link">{resetLink.url}</code>
            </div>
          )}
        </section>
      )}
      {self && <p className="muted">{t("user.self")}</p>}
      <div className="detail-grid">
        <section className="card" aria-labelledby={`${id}-enrollments`}>
          <h2 id={`${id}-enrollments`}>{t("user.enrollments")}</h2>
          {enrollments.length === 0 ? (
            <p className="muted">{t("user.noEnrollments")}</p>
          ) : (
            <ul>
              {enrollments.map((e) => (
                <li key={e.courseId}>
                  {e.courseId} · {t("user.enrolledOn", { date: date(e.enrolledAt) })}
                  {e.completedAt && <> · {t("user.completed")}</>}
                  {e.leftAt && <> · {t("user.left", { date: date(e.leftAt) })}</>}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby={`${id}-sessions`}>
          <h2 id={`${id}-sessions`}>{t("user.sessions")}</h2>
          {sessions.length === 0 ? (
            <p className="muted">{t("user.noSessions")}</p>
          ) : (
            <ul>
              {sessions.map((s) => (
                <li key={s.id}>
                  {dateTime(s.createdAt)} · {s.addr} · <span className="muted small">{s.device.slice(0, 80)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby={`${id}-tokens`}>
          <h2 id={`${id}-tokens`}>{t("user.tokens")}</h2>
          {apiTokens.length === 0 ? (
            <p className="muted">{t("user.noTokens")}</p>
          ) : (
            <ul>
              {apiTokens.map((k) => (
                <li key={k.id}>
                  {k.name} ({k.prefix}…){k.revokedAt && <> · {t("user.revoked")}</>}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section aria-labelledby={`${id}-events`}>
        <h2 id={`${id}-events`}>{t("user.events")}</h2>
        {recentEvents.length === 0 ? (
          <p className="muted">{t("user.noEvents")}</p>
        ) : (
          <div className="table-scroll">
            <table className="admin-table">
              <thead>
                <tr>
                  <th scope="col">{t("audit.time")}</th>
                  <th scope="col">{t("audit.type")}</th>
                  <th scope="col">{t("audit.course")}</th>
                </tr>
              </thead>
              <tbody>
                {recentEvents.map((e) => (
                  <tr key={e.id}>
                    <td>{dateTime(e.time)}</td>
                    <td>{e.type}</td>
                    <td>{e.courseId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
