// The API client. Its types come from httpapi/openapi.yaml through
// openapi-typescript (schema.gen.ts is generated at build time, never edited).
import type { components, paths } from "./schema.gen";

export type Schemas = components["schemas"];
export type User = Schemas["User"];
export type CourseSummary = Schemas["CourseSummary"];
export type CourseOutline = Schemas["CourseOutline"];
export type OutlineModule = Schemas["OutlineModule"];
export type OutlineItem = Schemas["OutlineItem"];
export type CoursePage = Schemas["CoursePage"];
export type Enrollment = Schemas["Enrollment"];
export type EnrollmentWithCourse = Schemas["EnrollmentWithCourse"];
export type CourseProgress = Schemas["CourseProgress"];
export type ModuleProgress = Schemas["ModuleProgress"];
export type ItemStatus = Schemas["ItemStatus"];
export type ItemPage = Schemas["ItemPage"];
export type ItemView = Schemas["ItemView"];
export type VideoView = Schemas["VideoView"];
export type VideoQuestion = Schemas["VideoQuestion"];
export type Question = Schemas["Question"];
export type Choice = Schemas["Choice"];
export type Response = Schemas["Response"];
export type Grade = Schemas["Grade"];
export type Answer = Schemas["Answer"];
export type QuizSubmission = Schemas["QuizSubmission"];
export type ProgressResponse = Schemas["ProgressResponse"];
export type AnswerResponse = Schemas["AnswerResponse"];
export type QuizResponse = Schemas["QuizResponse"];
export type SessionResponse = Schemas["SessionResponse"];
export type VideoProgressRequest = Schemas["VideoProgressRequest"];
export type ClientEvent = Schemas["ClientEvent"];
export type ErrorCode = Schemas["ErrorCode"];
export type ItemKind = Schemas["ItemKind"];

// The query page (data API) and API tokens.
export type DataSchema = Schemas["DataSchema"];
export type DataTable = Schemas["DataTable"];
export type DataColumn = Schemas["DataColumn"];
export type ResultColumn = Schemas["ResultColumn"];
export type Run = Schemas["Run"];
export type RunStatus = Schemas["RunStatus"];
export type RunErrorCode = Schemas["RunErrorCode"];
export type RunAccepted = Schemas["RunAccepted"];
export type RunDetail = Schemas["RunDetail"];
export type RunRows = Schemas["RunRows"];
export type Chart = Schemas["Chart"];
export type ChartType = Schemas["ChartType"];
export type Visibility = Schemas["Visibility"];
export type SavedQuery = Schemas["SavedQuery"];
export type SavedQueryRequest = Schemas["SavedQueryRequest"];
export type SavedQueryDetail = Schemas["SavedQueryDetail"];
export type QueryVersion = Schemas["QueryVersion"];
export type AdminRun = Schemas["AdminRun"];
export type ActiveRuns = Schemas["ActiveRuns"];
export type APIToken = Schemas["APIToken"];
export type CreatedToken = Schemas["CreatedToken"];

type HttpMethod = "get" | "post" | "put" | "delete";

/** The JSON body of a path's successful (200, 201 or 202) response. */
type Ok<P extends keyof paths, M extends HttpMethod> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { "application/json": infer T } } }
    ? T
    : R extends { 201: { content: { "application/json": infer T } } }
      ? T
      : R extends { 202: { content: { "application/json": infer T } } }
        ? T
        : void
  : never;

/** The JSON request body of a path's operation. */
type Body<P extends keyof paths, M extends "post" | "put"> = paths[P][M] extends {
  requestBody: { content: { "application/json": infer T } };
}
  ? T
  : never;

/** Codes of errors that did not come from the API's error body. */
export type ClientErrorCode = "network" | "bad_response";

/**
 * An error from the API (status and the body's code, message, field) or from
 * getting to it (code "network"). `message` is the server's, written for
 * people, or empty when there is none: show `errorText` instead.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode | ClientErrorCode;
  readonly field: string | undefined;
  readonly requestId: string | undefined;
  /** True when the message came from the server and may be shown as it is. */
  readonly fromServer: boolean;
  /** With too_many_requests: seconds to wait (the Retry-After header), if sent. */
  readonly retryAfter: number | undefined;

  constructor(
    status: number,
    code: ErrorCode | ClientErrorCode,
    message: string,
    opts: {
      field?: string | undefined;
      requestId?: string | undefined;
      fromServer?: boolean;
      retryAfter?: number | undefined;
    } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = opts.field;
    this.requestId = opts.requestId;
    this.fromServer = opts.fromServer ?? false;
    this.retryAfter = opts.retryAfter;
  }
}

const codeByStatus: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "too_large",
  415: "bad_request",
  422: "invalid",
  429: "too_many_requests",
};

const knownCodes = new Set<string>([
  "bad_request",
  "invalid",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "too_large",
  "too_many_requests",
  "internal",
]);

/** Turns a non-2xx fetch response into an ApiError. */
export async function errorFromResponse(res: globalThis.Response): Promise<ApiError> {
  const fallback = codeByStatus[res.status] ?? "internal";
  const ra = Number(res.headers.get("Retry-After"));
  const retryAfter = Number.isFinite(ra) && ra > 0 ? ra : undefined;
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const e = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (e && typeof e === "object" && typeof e.message === "string") {
    const code = typeof e.code === "string" && knownCodes.has(e.code) ? (e.code as ErrorCode) : fallback;
    return new ApiError(res.status, code, e.message, {
      field: typeof e.field === "string" ? e.field : undefined,
      requestId: typeof e.requestId === "string" ? e.requestId : undefined,
      fromServer: e.message !== "",
      retryAfter,
    });
  }
  return new ApiError(res.status, fallback, "", { requestId: res.headers.get("X-Request-Id") ?? undefined, retryAfter });
}

export interface ClientOptions {
  /** Prefix of every URL; "" for the same origin. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

interface RequestOptions {
  body?: unknown;
  /** Send the body as it is with this content type instead of JSON. */
  rawBody?: BodyInit;
  contentType?: string;
  /** Let the request outlive the page (unload reports). */
  keepalive?: boolean;
  signal?: AbortSignal;
}

const enc = encodeURIComponent;

/**
 * Creates an API client. It remembers the CSRF token from signup, login and
 * me, and sends it as X-CSRF-Token on every request that is not a GET.
 */
export function createClient(opts: ClientOptions = {}) {
  const baseUrl = opts.baseUrl ?? "";
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  let csrfToken: string | null = null;

  async function send(method: Method, path: string, o: RequestOptions): Promise<globalThis.Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    let body: BodyInit | undefined;
    if (o.rawBody !== undefined) {
      body = o.rawBody;
      headers["Content-Type"] = o.contentType ?? "application/octet-stream";
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers["Content-Type"] = "application/json";
    }
    if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
    try {
      return await doFetch(baseUrl + path, {
        method,
        headers,
        body,
        credentials: "same-origin",
        keepalive: o.keepalive,
        signal: o.signal,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === "AbortError") throw err;
      throw new ApiError(0, "network", "");
    }
  }

  async function request<T>(method: Method, path: string, o: RequestOptions = {}): Promise<T> {
    const tokenUsed = csrfToken;
    let res = await send(method, path, o);
    // A 403 on a write may be a stale or unknown CSRF token (the user signed
    // in again in another tab, or the page has not read /me yet): fetch the
    // session's token once and retry if it changed.
    if (res.status === 403 && method !== "GET" && path !== "/api/v1/me") {
      const fresh = await refreshToken();
      if (fresh && fresh !== tokenUsed) res = await send(method, path, o);
    }
    if (!res.ok) throw await errorFromResponse(res);
    if (res.status === 204) return undefined as T;
    try {
      return (await res.json()) as T;
    } catch {
      throw new ApiError(res.status, "bad_response", "");
    }
  }

  async function refreshToken(): Promise<string | null> {
    try {
      const res = await send("GET", "/api/v1/me", {});
      if (!res.ok) return null;
      const s = (await res.json()) as SessionResponse;
      csrfToken = s.csrfToken;
      return csrfToken;
    } catch {
      return null;
    }
  }

  function remember(s: SessionResponse): SessionResponse {
    csrfToken = s.csrfToken;
    return s;
  }

  const get = <P extends keyof paths>(path: string, o?: RequestOptions) =>
    request<Ok<P, "get">>("GET", path, o);
  const post = <P extends keyof paths>(path: string, o?: RequestOptions) =>
    request<Ok<P, "post">>("POST", path, o);
  const put = <P extends keyof paths>(path: string, o?: RequestOptions) =>
    request<Ok<P, "put">>("PUT", path, o);
  const del = <P extends keyof paths>(path: string, o?: RequestOptions) =>
    request<Ok<P, "delete">>("DELETE", path, o);

  const item = (courseId: string, itemId: string) => `/api/v1/courses/${enc(courseId)}/items/${enc(itemId)}`;

  return {
    get csrfToken() {
      return csrfToken;
    },

    async signup(body: Body<"/api/v1/auth/signup", "post">) {
      return remember(await post<"/api/v1/auth/signup">("/api/v1/auth/signup", { body }));
    },
    async login(body: Body<"/api/v1/auth/login", "post">) {
      return remember(await post<"/api/v1/auth/login">("/api/v1/auth/login", { body }));
    },
    async logout() {
      try {
        await post<"/api/v1/auth/logout">("/api/v1/auth/logout");
      } finally {
        csrfToken = null;
      }
    },
    /** The signed-in user, or null when nobody is. */
    async me(): Promise<SessionResponse | null> {
      try {
        return remember(await get<"/api/v1/me">("/api/v1/me"));
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          csrfToken = null;
          return null;
        }
        throw err;
      }
    },

    courses: (signal?: AbortSignal) => get<"/api/v1/courses">("/api/v1/courses", { signal }),
    course: (courseId: string, signal?: AbortSignal) =>
      get<"/api/v1/courses/{courseId}">(`/api/v1/courses/${enc(courseId)}`, { signal }),
    enroll: (courseId: string) =>
      post<"/api/v1/courses/{courseId}/enroll">(`/api/v1/courses/${enc(courseId)}/enroll`),
    enrollments: (signal?: AbortSignal) => get<"/api/v1/me/enrollments">("/api/v1/me/enrollments", { signal }),
    progress: (courseId: string, signal?: AbortSignal) =>
      get<"/api/v1/courses/{courseId}/progress">(`/api/v1/courses/${enc(courseId)}/progress`, { signal }),

    item: (courseId: string, itemId: string, signal?: AbortSignal) =>
      get<"/api/v1/courses/{courseId}/items/{itemId}">(item(courseId, itemId), { signal }),
    openItem: (courseId: string, itemId: string) =>
      post<"/api/v1/courses/{courseId}/items/{itemId}/open">(item(courseId, itemId) + "/open"),
    videoProgress: (
      courseId: string,
      itemId: string,
      body: Body<"/api/v1/courses/{courseId}/items/{itemId}/video-progress", "post">,
      o: { keepalive?: boolean } = {},
    ) =>
      post<"/api/v1/courses/{courseId}/items/{itemId}/video-progress">(item(courseId, itemId) + "/video-progress", {
        body,
        keepalive: o.keepalive,
      }),
    answer: (courseId: string, itemId: string, questionId: string, response: Response) =>
      post<"/api/v1/courses/{courseId}/items/{itemId}/questions/{questionId}/answer">(
        `${item(courseId, itemId)}/questions/${enc(questionId)}/answer`,
        { body: { response } },
      ),
    submitQuiz: (courseId: string, itemId: string, responses: Record<string, Response>) =>
      post<"/api/v1/courses/{courseId}/items/{itemId}/quiz">(item(courseId, itemId) + "/quiz", {
        body: { responses },
      }),

    event: (body: Body<"/api/v1/events", "post">) =>
      post<"/api/v1/events">("/api/v1/events", { body, keepalive: true }),

    // Studio (instructors and admins).
    studioCourses: (signal?: AbortSignal) => get<"/api/v1/studio/courses">("/api/v1/studio/courses", { signal }),
    importCourse: (zip: Blob) =>
      request<Schemas["CourseResponse"]>("POST", "/api/v1/courses/import", {
        rawBody: zip,
        contentType: "application/zip",
      }),
    publish: (courseId: string) =>
      post<"/api/v1/courses/{courseId}/publish">(`/api/v1/courses/${enc(courseId)}/publish`),
    unpublish: (courseId: string) =>
      post<"/api/v1/courses/{courseId}/unpublish">(`/api/v1/courses/${enc(courseId)}/unpublish`),
    exportUrl: (courseId: string) => `${baseUrl}/api/v1/courses/${enc(courseId)}/export`,

    // The query page (analysts and admins).
    data: {
      schema: (signal?: AbortSignal) => get<"/api/v1/data/schema">("/api/v1/data/schema", { signal }),
      startRun: (body: Body<"/api/v1/data/runs", "post">) => post<"/api/v1/data/runs">("/api/v1/data/runs", { body }),
      myRuns: (signal?: AbortSignal) => get<"/api/v1/data/runs">("/api/v1/data/runs", { signal }),
      run: (runId: string, signal?: AbortSignal) =>
        get<"/api/v1/data/runs/{runId}">(`/api/v1/data/runs/${enc(runId)}`, { signal }),
      rows: (
        runId: string,
        q: { offset: number; limit: number; sort?: string | undefined; desc?: boolean | undefined },
        signal?: AbortSignal,
      ) => {
        const p = new URLSearchParams({ offset: String(q.offset), limit: String(q.limit) });
        if (q.sort) {
          p.set("sort", q.sort);
          if (q.desc) p.set("desc", "true");
        }
        return get<"/api/v1/data/runs/{runId}/rows">(`/api/v1/data/runs/${enc(runId)}/rows?${p}`, { signal });
      },
      csvUrl: (runId: string) => `${baseUrl}/api/v1/data/runs/${enc(runId)}/csv`,
      cancelRun: (runId: string) =>
        post<"/api/v1/data/runs/{runId}/cancel">(`/api/v1/data/runs/${enc(runId)}/cancel`),
      queries: (signal?: AbortSignal) => get<"/api/v1/data/queries">("/api/v1/data/queries", { signal }),
      createQuery: (body: Body<"/api/v1/data/queries", "post">) =>
        post<"/api/v1/data/queries">("/api/v1/data/queries", { body }),
      query: (queryId: string, signal?: AbortSignal) =>
        get<"/api/v1/data/queries/{queryId}">(`/api/v1/data/queries/${enc(queryId)}`, { signal }),
      updateQuery: (queryId: string, body: Body<"/api/v1/data/queries/{queryId}", "put">) =>
        put<"/api/v1/data/queries/{queryId}">(`/api/v1/data/queries/${enc(queryId)}`, { body }),
      deleteQuery: (queryId: string) =>
        del<"/api/v1/data/queries/{queryId}">(`/api/v1/data/queries/${enc(queryId)}`),
      versions: (queryId: string, signal?: AbortSignal) =>
        get<"/api/v1/data/queries/{queryId}/versions">(`/api/v1/data/queries/${enc(queryId)}/versions`, { signal }),
      queryRuns: (queryId: string, signal?: AbortSignal) =>
        get<"/api/v1/data/queries/{queryId}/runs">(`/api/v1/data/queries/${enc(queryId)}/runs`, { signal }),
      fork: (queryId: string) =>
        post<"/api/v1/data/queries/{queryId}/fork">(`/api/v1/data/queries/${enc(queryId)}/fork`),
      // Without ?wait=true: 202 with the queued run.
      runQuery: (queryId: string, body: Schemas["SavedQueryRunRequest"]) =>
        request<Schemas["RunAccepted"]>("POST", `/api/v1/data/queries/${enc(queryId)}/run`, { body }),
      activeRuns: (signal?: AbortSignal) =>
        get<"/api/v1/data/admin/queries">("/api/v1/data/admin/queries", { signal }),
    },

    // API tokens.
    tokens: (signal?: AbortSignal) => get<"/api/v1/me/tokens">("/api/v1/me/tokens", { signal }),
    createToken: (name: string) => post<"/api/v1/me/tokens">("/api/v1/me/tokens", { body: { name } }),
    revokeToken: (tokenId: string) => del<"/api/v1/me/tokens/{tokenId}">(`/api/v1/me/tokens/${enc(tokenId)}`),
  };
}

export type Client = ReturnType<typeof createClient>;
