// A saved query's versions: pick one to read its SQL, and restore it into
// the editor (saving then makes it the newest version).
import { useState } from "react";
import { ErrorMessage, Loading, useAsync, useSession, type QueryVersion } from "@lyceum/ui";
import { useT } from "../i18n";
import { Modal } from "./Modal";

export function VersionsDialog({ queryId, current, onRestore, onClose }: { queryId: string; current: number; onRestore(v: QueryVersion): void; onClose(): void }) {
  const { t, dateTime } = useT();
  const { client } = useSession();
  const [versions, reload] = useAsync((signal) => client.data.versions(queryId, signal), [client, queryId]);
  const [picked, setPicked] = useState<number | null>(null);
  const list = versions.state === "ready" ? versions.data.versions : [];
  const shown = list.find((v) => v.version === picked) ?? list[0];

  return (
    <Modal title={t("versions.title")} onClose={onClose} wide testId="versions-dialog">
      {versions.state === "loading" && <Loading />}
      {versions.state === "error" && <ErrorMessage error={versions.error} onRetry={reload} />}
      {versions.state === "ready" && list.length === 0 && <p className="muted">{t("versions.none")}</p>}
      {shown && (
        <div className="versions">
          <ul className="versions-list" aria-label={t("versions.list")}>
            {list.map((v) => (
              <li key={v.version}>
                <button type="button" className="version-pick" aria-pressed={v.version === shown.version} onClick={() => setPicked(v.version)}>
                  <span className="version-n">{t("versions.n", { n: v.version })}</span>
                  {v.version === current && <span className="badge badge-primary">{t("versions.latest")}</span>}
                  <span className="muted small">{dateTime(v.createdAt)}</span>
                </button>
              </li>
            ))}
          </ul>
          <div className="version-view">
            <p className="version-meta">
              <strong>{shown.title}</strong> · <span className="muted">{t("versions.n", { n: shown.version })}</span>
            </p>
            <pre className="sql-view" tabIndex={0} role="region" aria-label={t("versions.sqlOf", { n: shown.version })}>
              {shown.sql}
            </pre>
            <button type="button" className="btn btn-primary" onClick={() => onRestore(shown)} data-testid="version-restore">
              {t("versions.restore")}
            </button>
            <p className="hint">{t("versions.restoreHint")}</p>
          </div>
        </div>
      )}
    </Modal>
  );
}
