-- Open liveness runs live here, not in one process's memory: any instance takes any frame.
-- state_json is the run's small state; best (PNG) and samples (raw 150x150 RGB chips) are
-- written only when they change; rows expire a minute after the start.
CREATE TABLE liveness_sessions (session_id TEXT PRIMARY KEY, operator TEXT NOT NULL, subject TEXT NOT NULL, started_ms BIGINT NOT NULL, expires_at BIGINT NOT NULL, state_json TEXT NOT NULL, best BLOB, samples BLOB, version BIGINT NOT NULL DEFAULT 0);
CREATE INDEX liveness_sessions_operator ON liveness_sessions (operator);
