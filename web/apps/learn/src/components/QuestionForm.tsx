import { parseDecimal, type Grade, type Question, type Response } from "@lyceum/ui";
import { useT } from "../i18n";

/** What the learner has entered so far for one question. */
export interface Draft {
  choices: string[];
  text: string;
}

export const emptyDraft: Draft = { choices: [], text: "" };

export function draftFrom(r: Response | undefined): Draft {
  if (!r) return emptyDraft;
  return { choices: r.choices ?? [], text: r.text ?? (r.number != null ? String(r.number) : "") };
}

/** The response for a draft, or the reason it can't be sent yet. */
export function toResponse(q: Question, d: Draft): { response: Response } | { problem: "empty" | "notNumber" } {
  switch (q.kind) {
    case "single":
    case "multiple":
      return d.choices.length ? { response: { choices: d.choices } } : { problem: "empty" };
    case "numeric": {
      if (d.text.trim() === "") return { problem: "empty" };
      const n = parseDecimal(d.text);
      return Number.isFinite(n) ? { response: { number: n } } : { problem: "notNumber" };
    }
    case "text":
      return d.text.trim() ? { response: { text: d.text } } : { problem: "empty" };
  }
}

interface Props {
  question: Question;
  /** Unique on the page; the prompt's element id is `${idPrefix}-prompt`. */
  idPrefix: string;
  draft: Draft;
  onChange(d: Draft): void;
  disabled?: boolean;
  /** Shown after grading: marks the answer and lists the feedback. */
  grade?: Grade | undefined;
  /**
   * After grading, when the grade itself is shown elsewhere: whether the
   * answer was right, to mark the learner's choices (or number, or text).
   */
  verdict?: boolean | undefined;
  error?: string | undefined;
  number?: number;
  lang?: string;
  /** Puts focus on the first input when the form appears (in a dialog). */
  autoFocus?: boolean;
}

/** One question with inputs for its kind: radios, checkboxes, a number or a text. */
export function QuestionForm(p: Props) {
  const { t } = useT();
  const q = p.question;
  const errId = `${p.idPrefix}-error`;
  const promptId = `${p.idPrefix}-prompt`;
  const points = q.points ?? 1;
  const described = p.error ? errId : undefined;
  // Graded: the learner's answer is marked right or wrong. Which choices are
  // right is not known here (the server says only whether the answer was).
  const verdict = p.grade ? p.grade.correct : p.verdict;
  const graded = verdict != null;

  return (
    <fieldset
      className={`question${graded ? (verdict ? " is-correct" : " is-incorrect") : ""}`}
      aria-labelledby={promptId}
      aria-describedby={described}
      disabled={p.disabled}
    >
      <legend className="question-head" id={promptId}>
        {p.number != null && <span className="question-number">{t("question.number", { n: p.number })}</span>}
        <span className="question-prompt" lang={p.lang}>
          {q.prompt}
        </span>
        <span className="question-points muted small">{t("question.points", { count: points })}</span>
      </legend>
      {q.kind === "multiple" && <p className="hint">{t("question.pickAll")}</p>}

      {(q.kind === "single" || q.kind === "multiple") && (
        <div className="choices">
          {(q.choices ?? []).map((c, i) => {
            const checked = p.draft.choices.includes(c.id);
            const id = `${p.idPrefix}-c-${c.id}`;
            const mark = graded && checked ? (verdict ? " is-right" : " is-wrong") : "";
            return (
              <label key={c.id} htmlFor={id} className={`choice${checked ? " is-checked" : ""}${mark}`}>
                <input
                  id={id}
                  type={q.kind === "single" ? "radio" : "checkbox"}
                  name={`${p.idPrefix}-choice`}
                  value={c.id}
                  checked={checked}
                  data-autofocus={p.autoFocus && i === 0 ? "" : undefined}
                  onChange={(e) => {
                    const on = e.target.checked;
                    const choices =
                      q.kind === "single" ? [c.id] : on ? [...p.draft.choices, c.id] : p.draft.choices.filter((x) => x !== c.id);
                    p.onChange({ ...p.draft, choices });
                  }}
                />
                <span className="choice-body">
                  <span className="choice-text" lang={p.lang}>
                    {c.text}
                  </span>
                  {graded && checked && <AnswerMark correct={verdict} />}
                </span>
              </label>
            );
          })}
        </div>
      )}

      {(q.kind === "numeric" || q.kind === "text") && (
        <div className="field answer-field">
          <label htmlFor={`${p.idPrefix}-input`} className="visually-hidden">
            {q.kind === "numeric" ? t("question.yourNumber") : t("question.yourAnswer")}
          </label>
          <input
            id={`${p.idPrefix}-input`}
            className="input"
            type="text"
            inputMode={q.kind === "numeric" ? "decimal" : "text"}
            autoComplete="off"
            spellCheck={q.kind === "text"}
            placeholder={q.kind === "numeric" ? t("question.numberPlaceholder") : t("question.textPlaceholder")}
            value={p.draft.text}
            data-autofocus={p.autoFocus ? "" : undefined}
            aria-invalid={p.error ? true : undefined}
            aria-describedby={described}
            onChange={(e) => p.onChange({ ...p.draft, text: e.target.value })}
          />
          {q.kind === "numeric" && !graded && <span className="hint">{t("question.decimalHint")}</span>}
          {graded && <AnswerMark correct={verdict} />}
        </div>
      )}

      {p.error && (
        <p className="field-error" id={errId}>
          {p.error}
        </p>
      )}
      {p.grade && <GradeResult grade={p.grade} lang={p.lang} />}
    </fieldset>
  );
}

/** "Your answer: correct" (or not), with a tick or a cross: not colour alone. */
function AnswerMark({ correct }: { correct: boolean }) {
  const { t } = useT();
  return (
    <span className={`answer-mark ${correct ? "answer-mark-right" : "answer-mark-wrong"}`}>
      <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <circle cx="8" cy="8" r="8" fill="currentColor" />
        <path
          d={correct ? "M4.5 8.3l2.3 2.3 4.7-5" : "M5.2 5.2l5.6 5.6M10.8 5.2l-5.6 5.6"}
          fill="none"
          stroke="#fff"
          strokeWidth="1.8"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      {correct ? t("question.yourAnswerRight") : t("question.yourAnswerWrong")}
    </span>
  );
}

export function GradeResult({ grade, lang }: { grade: Grade; lang?: string | undefined }) {
  const { t } = useT();
  return (
    <div className={`grade ${grade.correct ? "grade-correct" : "grade-incorrect"}`} data-testid="question-feedback">
      <p className="grade-verdict">
        <span aria-hidden="true">{grade.correct ? "✓" : "✗"}</span> {grade.correct ? t("question.correct") : t("question.incorrect")}
        <span className="muted small"> · {t("question.scored", { score: grade.score, count: grade.max })}</span>
      </p>
      {grade.feedback && grade.feedback.length > 0 && (
        <ul className="grade-feedback" lang={lang}>
          {grade.feedback.map((f, i) => (
            <li key={i}>{f}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
