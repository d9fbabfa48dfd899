-- Staff logins lock after repeated failures; challenges expire and are cleaned up.
ALTER TABLE staff ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE challenges ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE voice_sessions ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sessions_subject ON sessions (subject);
