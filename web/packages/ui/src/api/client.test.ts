import { describe, expect, it } from "vitest";
import { ApiError, createClient } from "./client";

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  keepalive: boolean;
}

/** A fetch that answers from a list of responses and records the requests. */
function fakeFetch(...responses: (Response | Error)[]) {
  const calls: Call[] = [];
  const fetch = async (request: Request) => {
    const text = await request.text();
    const headers: Record<string, string> = {};
    request.headers.forEach((v, k) => (headers[k] = v));
    calls.push({
      // The path and query as sent (the tests' base URL aside).
      url: request.url.slice(BASE.length),
      method: request.method,
      headers,
      body: text ? JSON.parse(text) : undefined,
      keepalive: request.keepalive,
    });
    const r = responses.shift();
    if (!r) throw new Error("unexpected request " + request.url);
    if (r instanceof Error) throw r;
    return r;
  };
  return { fetch, calls };
}

// Node's Request needs an absolute URL; the apps use the page's origin ("").
const BASE = "http://lyceum.test";
const client = (f: ReturnType<typeof fakeFetch>) => createClient({ fetch: f.fetch, baseUrl: BASE });

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const session = { user: { id: "u1", email: "a@b.co", name: "A", role: "learner", createdAt: "2026-01-01T00:00:00Z" }, csrfToken: "tok-1" };

describe("API client", () => {
  it("turns an error body into an ApiError with code, message and field", async () => {
    const f = fakeFetch(
      json(400, { error: { code: "invalid", message: "email: is not a valid email address", field: "email", requestId: "r-9" } }),
    );
    const c = client(f);
    const err = await c.signup({ email: "x", password: "12345678", name: "A" }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 400,
      code: "invalid",
      field: "email",
      requestId: "r-9",
      fromServer: true,
      message: "email: is not a valid email address",
    });
  });

  it("maps a status without a JSON error body to a code and no message", async () => {
    const f = fakeFetch(new Response("<html>Bad gateway</html>", { status: 502 }), new Response("", { status: 429 }));
    const c = client(f);
    const e1 = await c.courses().catch((e) => e);
    expect(e1).toMatchObject({ status: 502, code: "internal", fromServer: false, message: "" });
    const e2 = await c.courses().catch((e) => e);
    expect(e2).toMatchObject({ status: 429, code: "too_many_requests", fromServer: false });
  });

  it("keeps Retry-After and maps 415 and 422 without a body", async () => {
    const f = fakeFetch(
      new Response(JSON.stringify({ error: { code: "too_many_requests", message: "slow down" } }), {
        status: 429,
        headers: { "Retry-After": "12" },
      }),
      new Response("", { status: 415 }),
      new Response("", { status: 422 }),
    );
    const c = client(f);
    expect(await c.login({ email: "a@b.co", password: "x" }).catch((e) => e)).toMatchObject({ code: "too_many_requests", retryAfter: 12 });
    expect(await c.courses().catch((e) => e)).toMatchObject({ code: "bad_request" });
    expect(await c.courses().catch((e) => e)).toMatchObject({ code: "invalid" });
  });

  it("reports a network failure as code network", async () => {
    const f = fakeFetch(new TypeError("Failed to fetch"));
    const err = await client(f).courses().catch((e) => e);
    expect(err).toMatchObject({ status: 0, code: "network" });
  });

  it("ignores unknown codes in error bodies", async () => {
    const f = fakeFetch(json(404, { error: { code: "weird", message: "No such course." } }));
    const err = await client(f).course("x").catch((e) => e);
    expect(err).toMatchObject({ code: "not_found", message: "No such course.", fromServer: true });
  });

  it("sends the CSRF token from login on writes, not on reads", async () => {
    const f = fakeFetch(json(200, session), json(200, { courses: [] }), json(200, { enrollment: {} }), new Response(null, { status: 204 }));
    const c = client(f);
    await c.login({ email: "a@b.co", password: "secret-pw" });
    expect(c.csrfToken).toBe("tok-1");
    await c.courses();
    await c.enroll("go-101");
    await c.logout();
    expect(f.calls[0]!.headers["x-csrf-token"]).toBeUndefined();
    expect(f.calls[0]!.headers["content-type"]).toBe("application/json");
    expect(f.calls[0]!.body).toEqual({ email: "a@b.co", password: "secret-pw" });
    expect(f.calls[1]!.headers["x-csrf-token"]).toBeUndefined();
    expect(f.calls[2]).toMatchObject({ method: "POST", url: "/api/v1/courses/go-101/enroll" });
    expect(f.calls[2]!.headers["x-csrf-token"]).toBe("tok-1");
    expect(f.calls[3]!.headers["x-csrf-token"]).toBe("tok-1");
    expect(c.csrfToken).toBeNull();
  });

  it("returns null from me when signed out, and the session when signed in", async () => {
    const f = fakeFetch(json(401, { error: { code: "unauthorized", message: "Not signed in." } }), json(200, session));
    const c = client(f);
    expect(await c.me()).toBeNull();
    expect(await c.me()).toEqual(session);
    expect(c.csrfToken).toBe("tok-1");
  });

  it("retries a write once with a fresh CSRF token after a 403", async () => {
    const f = fakeFetch(
      json(200, session),
      json(403, { error: { code: "forbidden", message: "Bad CSRF token." } }),
      json(200, { ...session, csrfToken: "tok-2" }),
      json(200, { enrollment: { userId: "u1", courseId: "c", enrolledAt: "2026-01-01T00:00:00Z" } }),
    );
    const c = client(f);
    await c.me();
    const r = await c.enroll("c");
    expect(r.enrollment.courseId).toBe("c");
    expect(f.calls[3]!.headers["x-csrf-token"]).toBe("tok-2");
  });

  it("does not retry a 403 when the token is unchanged", async () => {
    const f = fakeFetch(
      json(200, session),
      json(403, { error: { code: "forbidden", message: "Enroll in this course first." } }),
      json(200, session),
    );
    const c = client(f);
    await c.me();
    const err = await c.openItem("c", "i").catch((e) => e);
    expect(err).toMatchObject({ status: 403, code: "forbidden", message: "Enroll in this course first." });
    expect(f.calls).toHaveLength(3);
  });

  it("escapes path parameters", async () => {
    const f = fakeFetch(json(200, { grade: {}, answer: {}, status: {}, course: {} }));
    await client(f).answer("a/b", "i?x", "q#1", { choices: ["c"] });
    expect(f.calls[0]!.url).toBe("/api/v1/courses/a%2Fb/items/i%3Fx/questions/q%231/answer");
    expect(f.calls[0]!.body).toEqual({ response: { choices: ["c"] } });
  });

  it("fails clearly on a 200 that is not JSON", async () => {
    const f = fakeFetch(new Response("not json", { status: 200 }));
    const err = await client(f).courses().catch((e) => e);
    expect(err).toMatchObject({ code: "bad_response" });
  });

  it("asks for a page of rows with offset, limit and sort", async () => {
    const f = fakeFetch(json(200, { columns: [], rows: [], total: 0 }), json(200, { columns: [], rows: [], total: 0 }));
    const c = client(f);
    await c.data.rows("r 1", { offset: 200, limit: 100, sort: "n", desc: true });
    await c.data.rows("r1", { offset: 0, limit: 5000 });
    expect(f.calls[0]!.url).toBe("/api/v1/data/runs/r%201/rows?offset=200&limit=100&sort=n&desc=true");
    expect(f.calls[1]!.url).toBe("/api/v1/data/runs/r1/rows?offset=0&limit=5000");
  });

  it("sends PUT and DELETE with the CSRF token; a 204 is undefined", async () => {
    const q = { id: "q1", ownerId: "u1", title: "T", description: "", sql: "select 1", visibility: "private", version: 2, createdAt: "", updatedAt: "" };
    const f = fakeFetch(json(200, session), json(200, { query: q }), new Response(null, { status: 204 }));
    const c = client(f);
    await c.me();
    const r = await c.data.updateQuery("q1", { title: "T", description: "", sql: "select 1", visibility: "private" });
    expect(r.query.version).toBe(2);
    expect(await c.revokeToken("t1")).toBeUndefined();
    expect(f.calls[1]).toMatchObject({ method: "PUT", url: "/api/v1/data/queries/q1", headers: { "x-csrf-token": "tok-1" } });
    expect(f.calls[2]).toMatchObject({ method: "DELETE", url: "/api/v1/me/tokens/t1", headers: { "x-csrf-token": "tok-1" } });
  });

  it("sends events with keepalive, so that they outlive the page", async () => {
    const f = fakeFetch(new Response(null, { status: 204 }));
    await client(f).event({ type: "page_viewed", payload: { path: "/" } });
    expect(f.calls[0]).toMatchObject({ method: "POST", url: "/api/v1/events", keepalive: true, body: { type: "page_viewed" } });
  });
});
