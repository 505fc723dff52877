// Save a new query (title, description, who can see it), or change a saved
// query's details; the owner can delete it from here too.
import { useId, useState, type FormEvent } from "react";
import { ApiError, ErrorMessage, type SavedQuery, type Visibility } from "@lyceum/ui";
import { useT } from "../i18n";
import { Modal } from "./Modal";

export interface Details {
  title: string;
  description: string;
  visibility: Visibility;
}

interface Props {
  /** The saved query whose details change; absent to save a new one. */
  query?: SavedQuery;
  onSave(d: Details): Promise<void>;
  onDelete?: () => Promise<void>;
  onClose(): void;
}

export function SaveDialog({ query, onSave, onDelete, onClose }: Props) {
  const { t } = useT();
  const id = useId();
  const [title, setTitle] = useState(query?.title ?? "");
  const [description, setDescription] = useState(query?.description ?? "");
  const [visibility, setVisibility] = useState<Visibility>(query?.visibility ?? "private");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const titleError = error instanceof ApiError && error.field === "title";

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!title.trim()) {
      setError(new ApiError(422, "invalid", "", { field: "title" }));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave({ title: title.trim(), description: description.trim(), visibility });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  async function remove() {
    if (!onDelete) return;
    setBusy(true);
    setError(null);
    try {
      await onDelete();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Modal title={query ? t("save.detailsTitle") : t("save.title")} onClose={onClose} testId="save-dialog">
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-title`}>{t("save.name")}</label>
          <input
            id={`${id}-title`}
            className="input"
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
            aria-invalid={titleError || undefined}
            aria-describedby={titleError ? `${id}-title-err` : undefined}
            data-autofocus
            required
          />
          {titleError && (
            <span id={`${id}-title-err`} className="field-error">
              {t("save.nameRequired")}
            </span>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-desc`}>{t("save.description")}</label>
          <textarea id={`${id}-desc`} className="input" rows={3} maxLength={5000} value={description} onChange={(e) => setDescription(e.target.value)} aria-describedby={`${id}-desc-hint`} />
          <span id={`${id}-desc-hint`} className="hint">
            {t("save.descriptionHint")}
          </span>
        </div>
        <fieldset className="field radios">
          <legend className="label">{t("save.visibility")}</legend>
          <label className="radio">
            <input type="radio" name={`${id}-vis`} checked={visibility === "private"} onChange={() => setVisibility("private")} />
            <span>
              <strong>{t("visibility.private")}</strong>
              <span className="hint"> — {t("visibility.privateHint")}</span>
            </span>
          </label>
          <label className="radio">
            <input type="radio" name={`${id}-vis`} checked={visibility === "organization"} onChange={() => setVisibility("organization")} />
            <span>
              <strong>{t("visibility.organization")}</strong>
              <span className="hint"> — {t("visibility.organizationHint")}</span>
            </span>
          </label>
        </fieldset>
        {error != null && !titleError && <ErrorMessage error={error} />}
        <div className="modal-actions">
          {onDelete &&
            (confirmDelete ? (
              <span className="confirm-delete">
                <span>{t("save.deleteConfirm")}</span>
                <button type="button" className="btn btn-danger btn-small" onClick={remove} disabled={busy}>
                  {t("save.deleteYes")}
                </button>
                <button type="button" className="btn btn-ghost btn-small" onClick={() => setConfirmDelete(false)}>
                  {t("cancel")}
                </button>
              </span>
            ) : (
              <button type="button" className="btn btn-ghost btn-danger-text" onClick={() => setConfirmDelete(true)} disabled={busy}>
                {t("save.delete")}
              </button>
            ))}
          <span className="spacer" />
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            {t("cancel")}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="save-submit">
            {busy ? t("save.saving") : t("save.submit")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
