// Accounts: search, filters, pages.
import { useId, useState, type FormEvent } from "react";
import { ErrorMessage, Link, Loading, navigate, useAsync, useDocumentTitle, useLocation, useSession, type Schemas } from "@lyceum/ui";
import { useT } from "../i18n";

const ROLES = ["learner", "instructor", "analyst", "admin"] as const;
const STATUSES = ["active", "deactivated", "deleted"] as const;

export function UsersPage() {
  const { t, date } = useT();
  const { client } = useSession();
  const { query } = useLocation();
  const id = useId();
  const q = query.get("q") ?? "";
  const role = (query.get("role") ?? "") as Schemas["Role"] | "";
  const status = (query.get("status") ?? "") as Schemas["UserStatus"] | "";
  const from = query.get("from") ?? "";
  const cursor = query.get("cursor") ?? "";
  const [text, setText] = useState(q);
  useDocumentTitle(t("users.title"), t("app.title"));
  const [page, reload] = useAsync(
    (s) =>
      client.admin.users(
        { ...(q ? { q } : {}), ...(role ? { role } : {}), ...(status ? { status } : {}), ...(from ? { from } : {}), ...(cursor ? { cursor } : {}) },
        s,
      ),
    [client, q, role, status, from, cursor],
  );

  function go(change: Record<string, string>) {
    const next = new URLSearchParams({ q, role, status, from, ...change });
    for (const [k, v] of [...next.entries()]) if (!v) next.delete(k);
    const s = next.toString();
    navigate(s ? `/?${s}` : "/");
  }
  function search(e: FormEvent) {
    e.preventDefault();
    go({ q: text.trim(), cursor: "" });
  }

  return (
    <>
      <h1>{t("users.title")}</h1>
      <form role="search" className="filters" onSubmit={search}>
        <div className="field">
          <label htmlFor={`${id}-q`}>{t("users.search")}</label>
          <input id={`${id}-q`} className="input" type="search" maxLength={200} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>{t("users.role")}</label>
          <select id={`${id}-role`} className="input" value={role} onChange={(e) => go({ role: e.target.value, cursor: "" })}>
            <option value="">{t("users.any")}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-status`}>{t("users.status")}</label>
          <select id={`${id}-status`} className="input" value={status} onChange={(e) => go({ status: e.target.value, cursor: "" })}>
            <option value="">{t("users.any")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>{t("users.signedUpFrom")}</label>
          <input id={`${id}-from`} className="input" type="date" value={from} onChange={(e) => go({ from: e.target.value, cursor: "" })} />
        </div>
        <button type="submit" className="btn btn-primary">
          {t("users.searchButton")}
        </button>
      </form>
      {page.state === "loading" && <Loading />}
      {page.state === "error" && <ErrorMessage error={page.error} onRetry={reload} />}
      {page.state === "ready" && (
        <>
          {page.data.users.length === 0 ? (
            <p className="empty">{page.data.next ? t("users.noneYet") : cursor ? t("users.noMore") : t("users.none")}</p>
          ) : (
            <div className="table-scroll">
              <table className="admin-table" data-testid="users">
                <thead>
                  <tr>
                    <th scope="col">{t("users.name")}</th>
                    <th scope="col">{t("users.email")}</th>
                    <th scope="col">{t("users.role")}</th>
                    <th scope="col">{t("users.status")}</th>
                    <th scope="col">{t("users.signedUp")}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.users.map((u) => (
                    <tr key={u.id}>
                      <td>
                        <Link to={`/users/${encodeURIComponent(u.id)}`}>{u.name || t("users.deletedName")}</Link>
                      </td>
                      <td>{u.email}</td>
                      <td>{t(`role.${u.role}`)}</td>
                      <td>{t(`status.${u.status}`)}</td>
                      <td>{date(u.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="actions">
            {cursor && (
              <button type="button" className="btn" onClick={() => go({ cursor: "" })}>
                {t("users.first")}
              </button>
            )}
            {page.data.next && (
              <button type="button" className="btn" onClick={() => go({ cursor: page.data.next! })}>
                {page.data.searchedTo ? t("users.searchFurther", { date: date(page.data.searchedTo) }) : t("users.next")}
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}
