-- Watching is timed, so that a video's completion cannot be claimed faster
-- than a learner could watch it: when the learner first reported watching a
-- video, and every segment reported watched since with the time of its latest
-- report (JSON [[first segment, last segment, unix ms], ...]). The segments
-- in `watched` were recorded before; they count as they are, and nothing
-- adds to them any more.
ALTER TABLE item_progress ADD COLUMN watch_started_at INTEGER;
ALTER TABLE item_progress ADD COLUMN watched_at TEXT NOT NULL DEFAULT '[]';
