// API tokens: create one (its secret shown once, with a copy button), see
// them, revoke them.
import { useId, useRef, useState, type FormEvent } from "react";
import { ApiError, ErrorMessage, Loading, useAsync, useDocumentTitle, useSession, type CreatedToken } from "@lyceum/ui";
import { useT } from "../i18n";

export function TokensPage() {
  const { t, dateTime } = useT();
  const { client } = useSession();
  const id = useId();
  const [tokens, reload] = useAsync((signal) => client.tokens(signal), [client]);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<string | null>(null);
  const secretRef = useRef<HTMLInputElement>(null);
  useDocumentTitle(t("tokens.title"), t("app.title"));
  const nameError = error instanceof ApiError && error.field === "name";

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) {
      setError(new ApiError(422, "invalid", "", { field: "name" }));
      return;
    }
    setBusy(true);
    setError(null);
    setCopied(false);
    try {
      const res = await client.createToken(name.trim());
      setCreated(res);
      setName("");
      reload();
      setTimeout(() => secretRef.current?.focus(), 0);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied(true);
    } catch {
      secretRef.current?.select();
    }
  }

  async function revoke(tokenId: string, tokenName: string) {
    if (!window.confirm(t("tokens.revokeConfirm", { name: tokenName }))) return;
    setRevoking(tokenId);
    try {
      await client.revokeToken(tokenId);
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setRevoking(null);
    }
  }

  const origin = typeof window !== "undefined" ? window.location.origin : "";

  return (
    <div className="data-container narrow">
      <h1>{t("tokens.title")}</h1>
      <p>{t("tokens.intro")}</p>

      <form className="card token-form" onSubmit={create} noValidate>
        <h2 className="panel-title">{t("tokens.create")}</h2>
        <div className="token-form-row">
          <div className="field">
            <label htmlFor={`${id}-name`}>{t("tokens.name")}</label>
            <input
              id={`${id}-name`}
              className="input"
              value={name}
              maxLength={100}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={nameError || undefined}
              aria-describedby={`${id}-name-hint`}
              data-testid="token-name"
            />
            <span id={`${id}-name-hint`} className={nameError ? "field-error" : "hint"}>
              {nameError ? t("tokens.nameRequired") : t("tokens.nameHint")}
            </span>
          </div>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="token-create">
            {busy ? t("tokens.creating") : t("tokens.createButton")}
          </button>
        </div>
        {error != null && !nameError && <ErrorMessage error={error} />}
      </form>

      {created && (
        <div className="alert alert-success token-secret" role="status" data-testid="token-secret">
          <p>
            <strong>{t("tokens.createdTitle", { name: created.token.name })}</strong>
          </p>
          <p>{t("tokens.once")}</p>
          <div className="secret-row">
            <label htmlFor={`${id}-secret`} className="visually-hidden">
              {t("tokens.secret")}
            </label>
            <input id={`${id}-secret`} ref={secretRef} className="input mono" readOnly value={created.secret} onFocus={(e) => e.target.select()} />
            <button type="button" className="btn btn-secondary" onClick={copy}>
              {copied ? t("tokens.copied") : t("tokens.copy")}
            </button>
          </div>
          <p className="small">{t("tokens.usage")}</p>
          <pre className="sql-view small">{`curl -H "Authorization: Bearer ${created.secret.slice(0, 8)}…" \\\n  "${origin}/api/v1/data/queries/QUERY_ID/result?format=csv"`}</pre>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setCreated(null)}>
            {t("tokens.done")}
          </button>
        </div>
      )}

      <section aria-labelledby={`${id}-list`}>
        <h2 id={`${id}-list`}>{t("tokens.yours")}</h2>
        {tokens.state === "loading" && <Loading />}
        {tokens.state === "error" && <ErrorMessage error={tokens.error} onRetry={reload} />}
        {tokens.state === "ready" &&
          (tokens.data.tokens.length === 0 ? (
            <p className="muted">{t("tokens.none")}</p>
          ) : (
            <div className="table-scroll" tabIndex={0} role="region" aria-label={t("tokens.yours")}>
              <table className="list-table" data-testid="tokens">
                <thead>
                  <tr>
                    <th scope="col">{t("tokens.name")}</th>
                    <th scope="col">{t("tokens.prefix")}</th>
                    <th scope="col">{t("tokens.created")}</th>
                    <th scope="col">{t("tokens.lastUsed")}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t("tokens.actions")}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {tokens.data.tokens.map((tk) => (
                    <tr key={tk.id} className={tk.revokedAt ? "revoked" : undefined}>
                      <td>{tk.name}</td>
                      <td>
                        <code>{tk.prefix}…</code>
                      </td>
                      <td>{dateTime(tk.createdAt)}</td>
                      <td>{tk.lastUsedAt ? dateTime(tk.lastUsedAt) : <span className="muted">{t("tokens.never")}</span>}</td>
                      <td>
                        {tk.revokedAt ? (
                          <span className="badge">{t("tokens.revokedOn", { date: dateTime(tk.revokedAt) })}</span>
                        ) : (
                          <button
                            type="button"
                            className="btn btn-secondary btn-small"
                            onClick={() => revoke(tk.id, tk.name)}
                            disabled={revoking === tk.id}
                            aria-label={t("tokens.revokeNamed", { name: tk.name })}
                          >
                            {t("tokens.revoke")}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
      </section>
    </div>
  );
}
