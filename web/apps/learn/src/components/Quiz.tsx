import { useRef, useState, type FormEvent } from "react";
import { ErrorMessage, useSession, type ItemView, type ProgressResponse, type QuizSubmission, type Response } from "@lyceum/ui";
import { useT } from "../i18n";
import { draftFrom, emptyDraft, QuestionForm, toResponse, type Draft } from "./QuestionForm";

type QuizView = NonNullable<ItemView["quiz"]>;

interface Props {
  courseId: string;
  itemId: string;
  quiz: QuizView;
  submissions: QuizSubmission[];
  lang: string;
  onProgress(p: ProgressResponse): void;
}

const pct = (s: { score: number; maxScore: number }) => (s.maxScore > 0 ? (s.score / s.maxScore) * 100 : 0);

export function Quiz({ courseId, itemId, quiz, submissions: initial, lang, onProgress }: Props) {
  const { t } = useT();
  const { client } = useSession();
  const [submissions, setSubmissions] = useState(() => initial ?? []);
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  /** The attempt being reviewed, or null while taking the quiz. */
  const [review, setReview] = useState<QuizSubmission | null>(null);
  const topRef = useRef<HTMLDivElement>(null);

  function focusTop() {
    requestAnimationFrame(() => {
      topRef.current?.focus();
      topRef.current?.scrollIntoView({ block: "start" });
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const responses: Record<string, Response> = {};
    const found: Record<string, string> = {};
    for (const q of quiz.questions) {
      const r = toResponse(q, drafts[q.id] ?? emptyDraft);
      if ("problem" in r) found[q.id] = r.problem === "empty" ? t("question.required") : t("question.notNumber");
      else responses[q.id] = r.response;
    }
    setProblems(found);
    const firstBad = quiz.questions.find((q) => found[q.id]);
    if (firstBad) {
      document.getElementById(`quiz-${firstBad.id}-prompt`)?.scrollIntoView({ block: "center" });
      document.querySelector<HTMLElement>(`#quiz-${firstBad.id}-c-${firstBad.choices?.[0]?.id}, #quiz-${firstBad.id}-input`)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await client.submitQuiz(courseId, itemId, responses);
      setSubmissions((s) => [res.submission, ...s.filter((x) => x.id !== res.submission.id)]);
      setReview(res.submission);
      setDrafts({});
      onProgress({ status: res.status, course: res.course });
      focusTop();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  function retake() {
    setReview(null);
    setProblems({});
    focusTop();
  }

  return (
    <div className="quiz">
      <div ref={topRef} tabIndex={-1} className="quiz-top">
        <QuizSummary quiz={quiz} submissions={submissions} />
        {review && <ReviewHeader submission={review} passPercent={quiz.passPercent} latest={review.id === submissions[0]?.id} />}
      </div>

      {review ? (
        <>
          <ol className="question-list">
            {quiz.questions.map((q, i) => (
              <li key={q.id}>
                <QuestionForm
                  question={q}
                  idPrefix={`review-${q.id}`}
                  number={i + 1}
                  draft={draftFrom(review.responses[q.id])}
                  onChange={() => {}}
                  disabled
                  grade={review.grades[q.id]}
                  lang={lang}
                />
              </li>
            ))}
          </ol>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" onClick={retake} data-testid="quiz-retake">
              {t("quiz.retake")}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <ol className="question-list">
            {quiz.questions.map((q, i) => (
              <li key={q.id}>
                <QuestionForm
                  question={q}
                  idPrefix={`quiz-${q.id}`}
                  number={i + 1}
                  draft={drafts[q.id] ?? emptyDraft}
                  onChange={(d) => {
                    setDrafts((x) => ({ ...x, [q.id]: d }));
                    if (problems[q.id]) setProblems(({ [q.id]: _, ...rest }) => rest);
                  }}
                  disabled={busy}
                  error={problems[q.id]}
                  lang={lang}
                />
              </li>
            ))}
          </ol>
          {Object.keys(problems).length > 0 && (
            <p className="alert alert-error" role="alert">
              {t("quiz.answerAll", { count: Object.keys(problems).length })}
            </p>
          )}
          {error != null && <ErrorMessage error={error} />}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="quiz-submit">
              {busy ? t("question.checking") : t("quiz.submit")}
            </button>
          </div>
        </form>
      )}

      {submissions.length > 0 && <Attempts submissions={submissions} passPercent={quiz.passPercent} onReview={(s) => { setReview(s); focusTop(); }} />}
    </div>
  );
}

function QuizSummary({ quiz, submissions }: { quiz: QuizView; submissions: QuizSubmission[] }) {
  const { t, percent, number } = useT();
  const best = submissions.reduce<QuizSubmission | null>((b, s) => (!b || pct(s) > pct(b) ? s : b), null);
  return (
    <div className="quiz-summary">
      <span className="badge">{t("item.questions", { count: quiz.questions.length })}</span>
      <span className="badge">{t("quiz.passAt", { percent: percent(quiz.passPercent) })}</span>
      {best && (
        <span className={`badge ${pct(best) >= quiz.passPercent ? "badge-success" : "badge-danger"}`}>
          {t("quiz.best", { score: number(best.score), max: number(best.maxScore) })}
        </span>
      )}
    </div>
  );
}

function ReviewHeader({ submission, passPercent, latest }: { submission: QuizSubmission; passPercent: number; latest: boolean }) {
  const { t, percent, number, dateTime } = useT();
  const p = pct(submission);
  const passed = p >= passPercent;
  return (
    <div className={`alert ${passed ? "alert-success" : "alert-warning"} quiz-result`} role="status" data-testid="quiz-result">
      <p className="quiz-score">
        <strong>{t("quiz.yourScore", { score: number(submission.score), max: number(submission.maxScore), percent: percent(p) })}</strong>
      </p>
      <p>{passed ? t("quiz.passed") : t("quiz.notPassed", { percent: percent(passPercent) })}</p>
      {!latest && <p className="small">{t("quiz.reviewingFrom", { date: dateTime(submission.submittedAt) })}</p>}
    </div>
  );
}

function Attempts({ submissions, passPercent, onReview }: { submissions: QuizSubmission[]; passPercent: number; onReview(s: QuizSubmission): void }) {
  const { t, percent, number, dateTime } = useT();
  return (
    <section className="attempts" aria-labelledby="attempts-title">
      <h2 id="attempts-title" className="h3">
        {t("quiz.attempts")}
      </h2>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("quiz.attempt")}</th>
              <th scope="col">{t("quiz.submitted")}</th>
              <th scope="col">{t("quiz.score")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("quiz.review")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {submissions.map((s, i) => {
              const p = pct(s);
              return (
                <tr key={s.id}>
                  <td>{number(submissions.length - i)}</td>
                  <td>{dateTime(s.submittedAt)}</td>
                  <td>
                    {number(s.score)}/{number(s.maxScore)} ({percent(p)}){" "}
                    <span className={`badge ${p >= passPercent ? "badge-success" : "badge-danger"}`}>
                      {p >= passPercent ? t("quiz.passedShort") : t("quiz.notPassedShort")}
                    </span>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-ghost btn-small"
                      onClick={() => onReview(s)}
                      aria-label={t("quiz.reviewAttempt", { n: submissions.length - i })}
                    >
                      {t("quiz.review")}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
