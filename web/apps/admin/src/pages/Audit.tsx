// The audit log: admin actions and queries run, by who, type and time.
import { useId } from "react";
import { ErrorMessage, Link, Loading, navigate, useAsync, useDocumentTitle, useLocation, useSession, type AuditType } from "@lyceum/ui";
import { useT } from "../i18n";

const TYPES: AuditType[] = [
  "query_ran",
  "role_changed",
  "user_deactivated",
  "user_reactivated",
  "user_signed_out",
  "password_reset_issued",
  "course_transferred",
  "course_published",
  "course_unpublished",
  "password_changed",
  "account_deleted",
  "data_exported",
];

export function AuditPage() {
  const { t, dateTime, date } = useT();
  const { client } = useSession();
  const { query } = useLocation();
  const id = useId();
  const user = query.get("user") ?? "";
  const type = (query.get("type") ?? "") as AuditType | "";
  const from = query.get("from") ?? "";
  const cursor = query.get("cursor") ?? "";
  useDocumentTitle(t("audit.title"), t("app.title"));
  const [page, reload] = useAsync(
    (s) =>
      client.admin.audit({ ...(user ? { user } : {}), ...(type ? { type } : {}), ...(from ? { from } : {}), ...(cursor ? { cursor } : {}) }, s),
    [client, user, type, from, cursor],
  );
  function go(change: Record<string, string>) {
    const next = new URLSearchParams({ user, type, from, ...change });
    for (const [k, v] of [...next.entries()]) if (!v) next.delete(k);
    const s = next.toString();
    navigate(s ? `/audit?${s}` : "/audit");
  }

  return (
    <>
      <h1>{t("audit.title")}</h1>
      <div className="filters">
        <div className="field">
          <label htmlFor={`${id}-type`}>{t("audit.type")}</label>
          <select id={`${id}-type`} className="input" value={type} onChange={(e) => go({ type: e.target.value, cursor: "" })}>
            <option value="">{t("users.any")}</option>
            {TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {ty}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>{t("audit.from")}</label>
          <input id={`${id}-from`} className="input" type="date" value={from} onChange={(e) => go({ from: e.target.value, cursor: "" })} />
        </div>
        {user && (
          <button type="button" className="btn" onClick={() => go({ user: "", cursor: "" })}>
            {t("audit.allUsers")}
          </button>
        )}
      </div>
      {page.state === "loading" && <Loading />}
      {page.state === "error" && <ErrorMessage error={page.error} onRetry={reload} />}
      {page.state === "ready" && (
        <>
          {page.data.events.length === 0 ? (
            <p className="empty">{page.data.next ? t("users.noneYet") : t("audit.none")}</p>
          ) : (
            <div className="table-scroll">
              <table className="admin-table" data-testid="audit">
                <thead>
                  <tr>
                    <th scope="col">{t("audit.time")}</th>
                    <th scope="col">{t("audit.who")}</th>
                    <th scope="col">{t("audit.type")}</th>
                    <th scope="col">{t("audit.course")}</th>
                    <th scope="col">{t("audit.details")}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.events.map((e) => (
                    <tr key={e.id}>
                      <td>{dateTime(e.time)}</td>
                      <td>
                        {e.userId && e.userId !== "operator" ? <Link to={`/users/${encodeURIComponent(e.userId)}`}>{e.userId.slice(0, 8)}</Link> : e.userId}{" "}
                        {e.userId && (
                          <button type="button" className="btn btn-ghost btn-small" onClick={() => go({ user: e.userId!, cursor: "" })}>
                            {t("audit.only")}
                          </button>
                        )}
                      </td>
                      <td>{e.type}</td>
                      <td>{e.courseId}</td>
                      <td>
                        <code className="small">{JSON.stringify(e.payload ?? {}).slice(0, 160)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {page.data.next && (
            <div className="actions">
              <button type="button" className="btn" onClick={() => go({ cursor: page.data.next! })}>
                {page.data.searchedTo ? t("users.searchFurther", { date: date(page.data.searchedTo) }) : t("users.next")}
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}
