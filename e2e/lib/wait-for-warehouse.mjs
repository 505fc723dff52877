// Waits until the warehouse answers an SQL count with at least a minimum, by
// running it through the query page's API as an analyst (the loader copies
// the store's activity into the warehouse in the background). Used by
// scripts/e2e.sh after `lyceum simulate`.
//
//   node lib/wait-for-warehouse.mjs URL EMAIL PASSWORD-FILE SQL MIN [TIMEOUT-SECONDS]
//
// SQL must answer one row whose first column is a number. Exits 0 when it
// reaches MIN, 1 (saying the last count) after the timeout (default 90 s).

import { readFileSync } from "node:fs";

const [base, email, passwordFile, sql, minText, timeoutText = "90"] = process.argv.slice(2);
if (!base || !email || !passwordFile || !sql || !minText) {
  console.error("usage: wait-for-warehouse.mjs URL EMAIL PASSWORD-FILE SQL MIN [TIMEOUT-SECONDS]");
  process.exit(2);
}
const min = Number(minText);
const deadline = Date.now() + Number(timeoutText) * 1000;
const password = readFileSync(passwordFile, "utf8").split("\n")[0];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let cookie = "";
let csrf = "";
async function api(method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(cookie ? { Cookie: cookie } : {}),
      ...(body ? { "Content-Type": "application/json" } : {}),
      ...(method !== "GET" && csrf ? { "X-CSRF-Token": csrf } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(60_000),
  });
  const set = res.headers.getSetCookie?.() ?? [];
  if (set.length) cookie = set.map((c) => c.split(";")[0]).join("; ");
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

const me = await api("POST", "/api/v1/auth/login", { email, password });
csrf = me.csrfToken;

let last = "nothing yet";
for (;;) {
  try {
    const { run } = await api("POST", "/api/v1/data/runs", { sql });
    let r = run;
    while (r.status === "queued" || r.status === "running") {
      await sleep(100);
      r = (await api("GET", `/api/v1/data/runs/${run.id}`)).run;
    }
    if (r.status !== "succeeded") throw new Error(`the count ${r.status}: ${r.errorCode ?? ""} ${r.error ?? ""}`);
    const rows = await api("GET", `/api/v1/data/runs/${run.id}/rows?limit=1`);
    const n = Number(rows.rows[0]?.[0]);
    last = String(n);
    if (n >= min) {
      console.log(`the warehouse has ${n} (at least ${min}): ${sql}`);
      process.exit(0);
    }
  } catch (err) {
    last = err.message;
  }
  if (Date.now() > deadline) {
    console.error(`timed out waiting for the warehouse: ${sql} is ${last}, want at least ${min}`);
    process.exit(1);
  }
  await sleep(250);
}
