// Every course: owner, status; publish, unpublish, transfer.
import { useState } from "react";
import { ErrorMessage, Loading, useAsync, useDocumentTitle, useSession } from "@lyceum/ui";
import { useT } from "../i18n";

export function CoursesPage() {
  const { t, date } = useT();
  const { client } = useSession();
  const [list, reload] = useAsync((s) => client.admin.courses(s), [client]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState("");
  useDocumentTitle(t("courses.title"), t("app.title"));

  async function act(courseId: string, fn: () => Promise<unknown>) {
    setBusy(courseId);
    setError(null);
    try {
      await fn();
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy("");
    }
  }

  return (
    <>
      <h1>{t("courses.title")}</h1>
      {error != null && <ErrorMessage error={error} />}
      {list.state === "loading" && <Loading />}
      {list.state === "error" && <ErrorMessage error={list.error} onRetry={reload} />}
      {list.state === "ready" &&
        (list.data.courses.length === 0 ? (
          <p className="empty">{t("courses.none")}</p>
        ) : (
          <div className="table-scroll">
            <table className="admin-table" data-testid="courses">
              <thead>
                <tr>
                  <th scope="col">{t("courses.course")}</th>
                  <th scope="col">{t("courses.owner")}</th>
                  <th scope="col">{t("courses.status")}</th>
                  <th scope="col">{t("courses.updated")}</th>
                  <th scope="col">{t("courses.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.courses.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <a href={`/courses/${encodeURIComponent(c.id)}`} lang={c.language}>
                        {c.title}
                      </a>
                    </td>
                    <td>{c.ownerName || c.ownerId}</td>
                    <td>{c.published ? t("courses.published") : t("courses.draft")}</td>
                    <td>{date(c.updatedAt)}</td>
                    <td>
                      <div className="actions">
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={busy === c.id}
                          onClick={() => act(c.id, () => (c.published ? client.unpublish(c.id) : client.publish(c.id)))}
                        >
                          {c.published ? t("courses.unpublish") : t("courses.publish")}
                        </button>
                        <button
                          type="button"
                          className="btn btn-small"
                          disabled={busy === c.id}
                          onClick={() => {
                            const owner = window.prompt(t("courses.transferPrompt"));
                            if (owner) void act(c.id, () => client.admin.transfer(c.id, owner.trim()));
                          }}
                        >
                          {t("courses.transfer")}
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </>
  );
}
