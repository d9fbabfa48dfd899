-- Compare-and-swap by version: every state row carries an integer bumped on each change
-- (the JSON text is never compared). Deadline-run previews wait here for confirmation.
ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE enrollments ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sms_challenges ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE roster ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
CREATE TABLE run_previews (preview_id TEXT PRIMARY KEY, run_date TEXT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL, summary_json TEXT NOT NULL, changes_json TEXT NOT NULL, applied INTEGER NOT NULL DEFAULT 0);
