-- certify reference server schema (SQLite). Same tables as migrations/postgres.
-- State columns hold the core's serde JSON; biometric templates live apart from identity.
CREATE TABLE staff (staff_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE roster (id_number TEXT PRIMARY KEY, entry_json TEXT NOT NULL, payment_json TEXT NOT NULL);
CREATE TABLE accounts (holder_id TEXT PRIMARY KEY, phone TEXT UNIQUE, account_json TEXT NOT NULL);
CREATE TABLE sms_challenges (phone TEXT NOT NULL, purpose TEXT NOT NULL, challenge_json TEXT NOT NULL, PRIMARY KEY (phone, purpose));
CREATE TABLE captchas (captcha_id TEXT PRIMARY KEY, answer TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE sessions (token TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE enrollments (holder_id TEXT NOT NULL, modality TEXT NOT NULL, case_json TEXT NOT NULL, PRIMARY KEY (holder_id, modality));
CREATE TABLE templates (template_ref TEXT PRIMARY KEY, modality TEXT NOT NULL, template_json TEXT NOT NULL);
CREATE TABLE held_uploads (holder_id TEXT NOT NULL, modality TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (holder_id, modality, name));
CREATE TABLE contacts (holder_id TEXT PRIMARY KEY, contacts_json TEXT NOT NULL);
CREATE TABLE challenges (challenge_id TEXT PRIMARY KEY, operator TEXT NOT NULL, subject TEXT NOT NULL, challenge_json TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE certifications (id INTEGER PRIMARY KEY AUTOINCREMENT, person TEXT NOT NULL, at BIGINT NOT NULL, record_json TEXT NOT NULL);
CREATE INDEX certifications_person ON certifications (person);
CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail_json TEXT NOT NULL);
CREATE TABLE idempotency (idem_key TEXT PRIMARY KEY, status INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE deadline_runs (run_id TEXT PRIMARY KEY, run_date TEXT NOT NULL, summary_json TEXT NOT NULL, report_csv TEXT NOT NULL);
-- Audit rows are never changed or removed.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
