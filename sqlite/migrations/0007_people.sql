-- People and places: account status and preferences, sessions a person can
-- list and end, leaving a course, the admin's lists and the audit log.

ALTER TABLE users_by_id ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE users_by_id ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE users_by_id ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
-- The admin's user list: newest sign-up first.
CREATE INDEX users_by_created ON users_by_id (created_at DESC, id DESC);

-- A session's id names it in lists; sessions signed in before this
-- migration get one made from their hash.
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN addr TEXT NOT NULL DEFAULT '';
UPDATE sessions SET id = substr(token_hash, 1, 32) WHERE id = '';
CREATE INDEX sessions_by_user ON sessions (user_id, created_at DESC);

ALTER TABLE enrollments_by_user ADD COLUMN left_at INTEGER;


-- A user's events, newest first (their page, their data export).
CREATE INDEX events_by_user ON events (user_id, seq DESC);

-- The audit log: the events of lyceum.AuditEventTypes, copied here as they
-- are appended (the event log stays the record).
CREATE TABLE audit_log (
  seq     INTEGER PRIMARY KEY, -- the event's seq in events
  time    INTEGER NOT NULL,
  type    TEXT NOT NULL,
  user_id TEXT NOT NULL
);
CREATE INDEX audit_log_by_user ON audit_log (user_id, seq DESC);
CREATE INDEX audit_log_by_type ON audit_log (type, seq DESC);
INSERT INTO audit_log (seq, time, type, user_id) SELECT seq, time, type, user_id FROM events
  WHERE type IN ('query_ran', 'course_published', 'course_unpublished');

-- One-time password reset links (only the token's hash is kept).
CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  issued_by  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
