-- The runs queued or running on any instance, for the admins' list.
CREATE INDEX query_runs_active ON query_runs (created_at) WHERE status IN ('queued', 'running');
