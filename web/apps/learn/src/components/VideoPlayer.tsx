import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import {
  Dialog,
  errorText,
  formatClock,
  useSession,
  type Answer,
  type Grade,
  type ItemStatus,
  type ProgressResponse,
  type VideoProgressRequest,
  type VideoQuestion,
  type VideoView,
} from "@lyceum/ui";
import { useT } from "../i18n";
import { emptyDraft, GradeResult, QuestionForm, toResponse, type Draft } from "./QuestionForm";

const HEARTBEAT_MS = 10_000;
/** localStorage: "on" when the learner turned captions on (they stay on for the next videos). */
const CAPTIONS_KEY = "lyceum.captions";

function storedCaptions(): boolean {
  try {
    return localStorage.getItem(CAPTIONS_KEY) === "on";
  } catch {
    return false;
  }
}

interface Props {
  courseId: string;
  itemId: string;
  video: VideoView;
  status: ItemStatus;
  lang: string;
  onProgress(p: ProgressResponse): void;
}

type Event = VideoProgressRequest["event"];

/**
 * Playback state for progress reports: `from` is where the range being
 * played started (null while not playing), `last` the latest position seen
 * while playing normally.
 */
interface Tracker {
  from: number | null;
  last: number;
  /** The range closed by a seek, sent with the "seeked" report. */
  closed: [number, number] | null;
  lastReport: number;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Splits plain text into paragraphs at blank lines; single line breaks reflow. */
function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, " ").trim())
    .filter(Boolean);
}

export function VideoPlayer({ courseId, itemId, video, status, lang, onProgress }: Props) {
  const { t } = useT();
  const { client } = useSession();
  const ref = useRef<HTMLVideoElement>(null);
  const [answers, setAnswers] = useState<Record<string, Answer>>(() => {
    const a: Record<string, Answer> = {};
    for (const q of video.questions) if (q.answer) a[q.question.id] = q.answer;
    return a;
  });
  const [active, setActive] = useState<VideoQuestion | null>(null);
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  // Questions skipped in this visit: not asked again until the learner asks for them.
  const skipped = useRef(new Set<string>());
  const [skippedCount, setSkippedCount] = useState(0);
  const tracker = useRef<Tracker>({ from: null, last: 0, closed: null, lastReport: 0 });
  // Captions are off unless asked for: the slides already show the same words.
  const [captions, setCaptions] = useState(storedCaptions);

  const pending = useMemo(
    () => [...video.questions].filter((q) => !answers[q.question.id]).sort((a, b) => a.at - b.at),
    [video.questions, answers],
  );
  const pendingRef = useRef(pending);
  pendingRef.current = pending;
  const activeRef = useRef(active);
  activeRef.current = active;
  const onProgressRef = useRef(onProgress);
  onProgressRef.current = onProgress;

  const report = useCallback(
    (event: Event, opts: { keepalive?: boolean } = {}) => {
      const v = ref.current;
      if (!v) return;
      const tr = tracker.current;
      const body: VideoProgressRequest = { event, position: round(v.currentTime) };
      let range: [number, number] | null = null;
      if (event === "seeked") range = tr.closed;
      else if (tr.from !== null) range = [tr.from, event === "ended" ? v.duration || tr.last : tr.last];
      if (range && range[1] > range[0]) {
        body.watchedFrom = round(range[0]);
        body.watchedTo = round(range[1]);
      }
      tr.closed = null;
      tr.from = !v.paused && !v.ended ? v.currentTime : null;
      tr.last = v.currentTime;
      tr.lastReport = Date.now();
      client.videoProgress(courseId, itemId, body, opts).then(
        (r) => onProgressRef.current(r),
        () => {
          // Progress reports are best effort: the next one covers what follows.
        },
      );
    },
    [client, courseId, itemId],
  );

  // Pause for the earliest unanswered question the playhead has reached.
  const checkQuestions = useCallback(() => {
    const v = ref.current;
    if (!v || activeRef.current || v.paused || v.seeking) return;
    const q = pendingRef.current.find((x) => x.at <= v.currentTime + 0.05 && !skipped.current.has(x.question.id));
    if (!q) return;
    v.pause();
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    setActive(q);
  }, []);

  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    const tr = tracker.current;
    const onPlay = () => {
      if (activeRef.current) {
        v.pause();
        return;
      }
      tr.from = v.currentTime;
      tr.last = v.currentTime;
      report("played");
    };
    const onPause = () => {
      if (v.ended || v.seeking) return;
      tr.last = v.currentTime;
      report("paused");
    };
    const onEnded = () => {
      report("ended");
      // A question at the very end (or past the file's real end) is asked now.
      const q = pendingRef.current.find((x) => !skipped.current.has(x.question.id));
      if (q && !activeRef.current) setActive(q);
    };
    const onSeeking = () => {
      if (tr.from !== null && tr.last > tr.from) tr.closed = [tr.from, tr.last];
      tr.from = null;
    };
    const onSeeked = () => {
      report("seeked");
      checkQuestions();
    };
    const onTime = () => {
      if (v.seeking || v.paused) return;
      // A jump of more than a few seconds without a seek event is not playback.
      if (tr.from === null || Math.abs(v.currentTime - tr.last) > 5) tr.from = v.currentTime;
      tr.last = v.currentTime;
      checkQuestions();
      if (!v.paused && Date.now() - tr.lastReport >= HEARTBEAT_MS) report("heartbeat");
    };
    const onHide = () => {
      if (document.visibilityState === "hidden" && !v.paused) report("heartbeat", { keepalive: true });
    };
    v.addEventListener("play", onPlay);
    v.addEventListener("pause", onPause);
    v.addEventListener("ended", onEnded);
    v.addEventListener("seeking", onSeeking);
    v.addEventListener("seeked", onSeeked);
    v.addEventListener("timeupdate", onTime);
    document.addEventListener("visibilitychange", onHide);
    window.addEventListener("pagehide", onHide);
    return () => {
      v.removeEventListener("play", onPlay);
      v.removeEventListener("pause", onPause);
      v.removeEventListener("ended", onEnded);
      v.removeEventListener("seeking", onSeeking);
      v.removeEventListener("seeked", onSeeked);
      v.removeEventListener("timeupdate", onTime);
      document.removeEventListener("visibilitychange", onHide);
      window.removeEventListener("pagehide", onHide);
      // Leaving the page while playing: report what was watched.
      if (!v.paused && !v.ended) report("paused", { keepalive: true });
    };
  }, [report, checkQuestions]);

  // Show or hide the captions track as asked.
  useEffect(() => {
    const track = ref.current?.textTracks?.[0];
    if (track) track.mode = captions ? "showing" : "disabled";
  }, [captions, video.captionsUrl]);

  // The browser's own captions menu turns them on or off too: follow it.
  useEffect(() => {
    const tracks = ref.current?.textTracks;
    if (!tracks) return;
    const onChange = () => setCaptions([...tracks].some((x) => x.mode === "showing"));
    tracks.addEventListener("change", onChange);
    return () => tracks.removeEventListener("change", onChange);
  }, []);

  function toggleCaptions() {
    const on = !captions;
    setCaptions(on);
    try {
      localStorage.setItem(CAPTIONS_KEY, on ? "on" : "off");
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }

  function onLoadedMetadata() {
    const v = ref.current;
    if (!v) return;
    const d = Number.isFinite(v.duration) ? v.duration : video.durationSeconds;
    const pos = status.position;
    if (pos > 1 && pos < d - 3 && status.status !== "completed") {
      v.currentTime = pos;
      setResumedAt(pos);
    }
  }

  function startOver() {
    const v = ref.current;
    if (!v) return;
    v.currentTime = 0;
    setResumedAt(null);
    v.play().catch(() => {});
  }

  function closeQuestion(skip: boolean) {
    const q = activeRef.current;
    if (q && skip) {
      skipped.current.add(q.question.id);
      setSkippedCount(skipped.current.size);
    }
    setActive(null);
    const v = ref.current;
    if (v && !v.ended) v.play().catch(() => {});
  }

  const answeredCount = video.questions.length - pending.length;
  const skippedPending = skippedCount > 0 ? pending.filter((q) => skipped.current.has(q.question.id)) : [];

  function askSkipped() {
    const q = skippedPending[0];
    if (!q) return;
    skipped.current.delete(q.question.id);
    setSkippedCount(skipped.current.size);
    ref.current?.pause();
    setActive(q);
  }

  return (
    <div className="video-player">
      <div className={`video-frame${active ? " is-asking" : ""}`}>
        {/* The captions track is there when the course has captions; the transcript is always below. */}
        {/* eslint-disable-next-line jsx-a11y/media-has-caption */}
        <video
          ref={ref}
          data-testid="video"
          controls
          playsInline
          preload="metadata"
          onLoadedMetadata={onLoadedMetadata}
          aria-label={t("video.label")}
        >
          <source src={video.url} type={video.contentType || undefined} />
          {video.captionsUrl && <track kind="captions" src={video.captionsUrl} srcLang={lang} label={t("video.captions")} />}
          {t("video.unsupported")}
        </video>
        {active && (
          <QuestionOverlay
            key={active.question.id}
            courseId={courseId}
            itemId={itemId}
            vq={active}
            lang={lang}
            onAnswered={(grade, answer, progress) => {
              setAnswers((a) => ({ ...a, [answer.questionId]: answer }));
              onProgress(progress);
              void grade;
            }}
            onContinue={() => closeQuestion(false)}
            onSkip={() => closeQuestion(true)}
          />
        )}
      </div>

      <div className="video-bar">
        <div className="video-bar-notes">
          {video.questions.length > 0 && (
            <p className="muted small">
              {t("video.questionsAnswered", { done: answeredCount, total: video.questions.length })}
              {skippedPending.length > 0 && !active && (
                <>
                  {" "}
                  <button type="button" className="link-button" onClick={askSkipped}>
                    {t("video.answerSkipped", { count: skippedPending.length })}
                  </button>
                </>
              )}
            </p>
          )}
          {resumedAt != null && (
            <p className="muted small resume-note">
              {t("video.resumed", { time: formatClock(resumedAt) })}{" "}
              <button type="button" className="link-button" onClick={startOver}>
                {t("video.startOver")}
              </button>
            </p>
          )}
        </div>
        {video.captionsUrl && (
          <button type="button" className="btn btn-small captions-toggle" aria-pressed={captions} onClick={toggleCaptions}>
            <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
              <rect x="2" y="4" width="16" height="12" rx="2" fill={captions ? "currentColor" : "none"} stroke="currentColor" strokeWidth="1.5" />
              <path
                d="M8.6 8.3a2 2 0 1 0 0 3.4M14.1 8.3a2 2 0 1 0 0 3.4"
                fill="none"
                stroke={captions ? "var(--surface)" : "currentColor"}
                strokeWidth="1.5"
                strokeLinecap="round"
              />
            </svg>
            {t("video.captions")}
          </button>
        )}
      </div>

      {video.transcript && (
        <section className="transcript" aria-labelledby={`${itemId}-transcript`}>
          <h2 id={`${itemId}-transcript`} className="h3">
            {t("video.transcript")}
          </h2>
          <div className="transcript-text" lang={lang} tabIndex={0} role="region" aria-labelledby={`${itemId}-transcript`}>
            {paragraphs(video.transcript).map((p, i) => (
              <p key={i}>{p}</p>
            ))}
          </div>
        </section>
      )}
    </div>
  );
}

function QuestionOverlay(props: {
  courseId: string;
  itemId: string;
  vq: VideoQuestion;
  lang: string;
  onAnswered(g: Grade, a: Answer, p: ProgressResponse): void;
  onContinue(): void;
  onSkip(): void;
}) {
  const { t, locale } = useT();
  const { client } = useSession();
  const q = props.vq.question;
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [grade, setGrade] = useState<Grade | null>(null);
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const continueRef = useRef<HTMLButtonElement>(null);
  const idPrefix = `vq-${q.id}`;

  useEffect(() => {
    if (grade) continueRef.current?.focus();
  }, [grade]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = toResponse(q, draft);
    if ("problem" in r) {
      setProblem(r.problem === "empty" ? t("question.required") : t("question.notNumber"));
      return;
    }
    setBusy(true);
    setProblem(undefined);
    try {
      const res = await client.answer(props.courseId, props.itemId, q.id, r.response);
      setGrade(res.grade);
      props.onAnswered(res.grade, res.answer, { status: res.status, course: res.course });
    } catch (err) {
      setProblem(errorText(err, t, locale));
    } finally {
      setBusy(false);
    }
  }

  function tryAgain() {
    setGrade(null);
    setDraft(emptyDraft);
  }

  return (
    <div className="question-overlay">
      <Dialog
        labelledBy={`${idPrefix}-title`}
        describedBy={`${idPrefix}-prompt`}
        className="question-dialog"
        testId="question-dialog"
        onEscape={() => {
          if (busy) return;
          if (grade) props.onContinue();
          else props.onSkip();
        }}
      >
        <form onSubmit={submit}>
          <p className="dialog-eyebrow" id={`${idPrefix}-title`}>
            {t("video.questionTitle", { time: formatClock(props.vq.at) })}
          </p>
          <QuestionForm
            question={q}
            idPrefix={idPrefix}
            draft={draft}
            onChange={(d) => {
              setDraft(d);
              setProblem(undefined);
            }}
            disabled={busy || grade != null}
            verdict={grade?.correct}
            error={problem}
            lang={props.lang}
            autoFocus
          />
          <div aria-live="polite">
            {grade && <GradeResult grade={grade} lang={props.lang} />}
          </div>
          <div className="dialog-actions">
            {grade ? (
              <>
                {!grade.correct && (
                  <button type="button" className="btn btn-secondary" onClick={tryAgain}>
                    {t("question.tryAgain")}
                  </button>
                )}
                <button type="button" ref={continueRef} className="btn btn-primary" data-testid="question-continue" onClick={props.onContinue}>
                  {t("video.continue")}
                </button>
              </>
            ) : (
              <>
                <button type="button" className="btn btn-ghost" onClick={props.onSkip} disabled={busy}>
                  {t("video.skip")}
                </button>
                <button type="submit" className="btn btn-primary" disabled={busy} data-testid="question-submit">
                  {busy ? t("question.checking") : t("question.submit")}
                </button>
              </>
            )}
          </div>
        </form>
      </Dialog>
    </div>
  );
}
