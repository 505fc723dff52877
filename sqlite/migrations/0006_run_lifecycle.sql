-- Runs have a lifecycle (querying's scheduler): each run records the
-- instance that runs it, and instances record that they are alive, so that
-- the runs of an instance that stopped or crashed are failed by the others
-- instead of staying "running" forever.
ALTER TABLE query_runs ADD COLUMN instance_id TEXT NOT NULL DEFAULT '';
ALTER TABLE runs_by_query ADD COLUMN instance_id TEXT NOT NULL DEFAULT '';
ALTER TABLE runs_by_user ADD COLUMN instance_id TEXT NOT NULL DEFAULT '';

-- Each instance's latest heartbeat (Unix ms); beats older than a week are
-- deleted by the next beat of any instance.
CREATE TABLE instances (
  id      TEXT PRIMARY KEY,
  beat_at INTEGER NOT NULL
);

-- Result retention finds stored results by the time their run finished.
CREATE INDEX query_runs_results ON query_runs (finished_at) WHERE result_key != '';
