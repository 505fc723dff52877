-- The learning store, one table per query (see README "Data model").
-- Times are Unix milliseconds, UTC.

CREATE TABLE users_by_id (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);

-- Uniqueness of email (a lightweight transaction on Cassandra).
CREATE TABLE users_by_email (
  email   TEXT PRIMARY KEY,
  user_id TEXT NOT NULL
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

-- The whole course document, read at once.
CREATE TABLE courses (
  id         TEXT PRIMARY KEY,
  doc        TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The public catalog: published courses only.
CREATE TABLE catalog (
  course_id TEXT PRIMARY KEY,
  summary   TEXT NOT NULL
);

CREATE TABLE courses_by_owner (
  owner_id  TEXT NOT NULL,
  course_id TEXT NOT NULL,
  summary   TEXT NOT NULL,
  PRIMARY KEY (owner_id, course_id)
);

CREATE TABLE enrollments_by_user (
  user_id      TEXT NOT NULL,
  course_id    TEXT NOT NULL,
  enrolled_at  INTEGER NOT NULL,
  completed_at INTEGER,
  PRIMARY KEY (user_id, course_id)
);

CREATE TABLE item_progress (
  user_id      TEXT NOT NULL,
  course_id    TEXT NOT NULL,
  item_id      TEXT NOT NULL,
  opened_at    INTEGER,
  position     REAL NOT NULL DEFAULT 0,
  watched      TEXT NOT NULL DEFAULT '[]',
  completed_at INTEGER,
  score        REAL,
  max_score    REAL NOT NULL DEFAULT 0,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (user_id, course_id, item_id)
);

CREATE TABLE answers (
  user_id     TEXT NOT NULL,
  course_id   TEXT NOT NULL,
  item_id     TEXT NOT NULL,
  question_id TEXT NOT NULL,
  response    TEXT NOT NULL,
  grade       TEXT NOT NULL,
  answered_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, course_id, item_id, question_id)
);

CREATE TABLE quiz_submissions (
  user_id      TEXT NOT NULL,
  course_id    TEXT NOT NULL,
  item_id      TEXT NOT NULL,
  id           TEXT NOT NULL,
  submitted_at INTEGER NOT NULL,
  doc          TEXT NOT NULL,
  PRIMARY KEY (user_id, course_id, item_id, id)
);

-- The event log. seq is the read position; id makes appends idempotent.
CREATE TABLE events (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  id        TEXT NOT NULL UNIQUE,
  time      INTEGER NOT NULL,
  type      TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  course_id TEXT NOT NULL,
  item_id   TEXT NOT NULL,
  payload   TEXT NOT NULL
);
