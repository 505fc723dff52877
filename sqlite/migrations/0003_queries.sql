-- The query page's records (lyceum.QueryStore), one table per query like
-- the rest of the learning store (README "Data model"). Every table of one
-- kind holds the same columns: a write puts the whole row in each.
-- Times are Unix milliseconds, UTC; chart and params are JSON text, '' when
-- absent.

-- A saved query by id.
CREATE TABLE saved_queries (
  id            TEXT PRIMARY KEY,
  owner_id      TEXT NOT NULL,
  title         TEXT NOT NULL,
  description   TEXT NOT NULL,
  sql_text      TEXT NOT NULL,
  chart         TEXT NOT NULL,
  visibility    TEXT NOT NULL,
  version       INTEGER NOT NULL,
  forked_from   TEXT NOT NULL,
  latest_run_id TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- A user's saved queries.
CREATE TABLE saved_queries_by_owner (
  owner_id      TEXT NOT NULL,
  id            TEXT NOT NULL,
  title         TEXT NOT NULL,
  description   TEXT NOT NULL,
  sql_text      TEXT NOT NULL,
  chart         TEXT NOT NULL,
  visibility    TEXT NOT NULL,
  version       INTEGER NOT NULL,
  forked_from   TEXT NOT NULL,
  latest_run_id TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (owner_id, id)
);

-- The queries visible to the organization (visibility 'organization' only).
CREATE TABLE shared_queries (
  id            TEXT PRIMARY KEY,
  owner_id      TEXT NOT NULL,
  title         TEXT NOT NULL,
  description   TEXT NOT NULL,
  sql_text      TEXT NOT NULL,
  chart         TEXT NOT NULL,
  visibility    TEXT NOT NULL,
  version       INTEGER NOT NULL,
  forked_from   TEXT NOT NULL,
  latest_run_id TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- A query's versions, newest first.
CREATE TABLE query_versions (
  query_id   TEXT NOT NULL,
  version    INTEGER NOT NULL,
  sql_text   TEXT NOT NULL,
  title      TEXT NOT NULL,
  author_id  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (query_id, version)
);

-- A run by id.
CREATE TABLE query_runs (
  id          TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL,
  query_id    TEXT NOT NULL,
  version     INTEGER NOT NULL,
  sql_text    TEXT NOT NULL,
  params      TEXT NOT NULL,
  status      TEXT NOT NULL,
  error       TEXT NOT NULL,
  error_code  TEXT NOT NULL,
  row_count   INTEGER NOT NULL,
  byte_count  INTEGER NOT NULL,
  truncated   INTEGER NOT NULL,
  result_key  TEXT NOT NULL,
  source      TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER
);

-- A saved query's runs, newest first (ad hoc runs are not in it).
CREATE TABLE runs_by_query (
  query_id    TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  id          TEXT NOT NULL,
  user_id     TEXT NOT NULL,
  version     INTEGER NOT NULL,
  sql_text    TEXT NOT NULL,
  params      TEXT NOT NULL,
  status      TEXT NOT NULL,
  error       TEXT NOT NULL,
  error_code  TEXT NOT NULL,
  row_count   INTEGER NOT NULL,
  byte_count  INTEGER NOT NULL,
  truncated   INTEGER NOT NULL,
  result_key  TEXT NOT NULL,
  source      TEXT NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (query_id, created_at, id)
);

-- A user's runs, newest first.
CREATE TABLE runs_by_user (
  user_id     TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  id          TEXT NOT NULL,
  query_id    TEXT NOT NULL,
  version     INTEGER NOT NULL,
  sql_text    TEXT NOT NULL,
  params      TEXT NOT NULL,
  status      TEXT NOT NULL,
  error       TEXT NOT NULL,
  error_code  TEXT NOT NULL,
  row_count   INTEGER NOT NULL,
  byte_count  INTEGER NOT NULL,
  truncated   INTEGER NOT NULL,
  result_key  TEXT NOT NULL,
  source      TEXT NOT NULL,
  started_at  INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (user_id, created_at, id)
);

-- API tokens by the SHA-256 of the token: the lookup on every API request.
CREATE TABLE api_tokens_by_hash (
  token_hash   TEXT PRIMARY KEY,
  id           TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  name         TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);

-- A user's API tokens, for the list in the UI.
CREATE TABLE api_tokens_by_user (
  user_id      TEXT NOT NULL,
  id           TEXT NOT NULL,
  token_hash   TEXT NOT NULL,
  name         TEXT NOT NULL,
  prefix       TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER,
  PRIMARY KEY (user_id, id)
);
