-- certify reference server schema (PostgreSQL). Same tables as migrations/sqlite.
CREATE TABLE staff (staff_id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE roster (id_number TEXT PRIMARY KEY, entry_json TEXT NOT NULL, payment_json TEXT NOT NULL);
CREATE TABLE accounts (holder_id TEXT PRIMARY KEY, phone TEXT UNIQUE, account_json TEXT NOT NULL);
CREATE TABLE sms_challenges (phone TEXT NOT NULL, purpose TEXT NOT NULL, challenge_json TEXT NOT NULL, PRIMARY KEY (phone, purpose));
CREATE TABLE captchas (captcha_id TEXT PRIMARY KEY, answer TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE sessions (token TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE enrollments (holder_id TEXT NOT NULL, modality TEXT NOT NULL, case_json TEXT NOT NULL, PRIMARY KEY (holder_id, modality));
CREATE TABLE templates (template_ref TEXT PRIMARY KEY, modality TEXT NOT NULL, template_json TEXT NOT NULL);
CREATE TABLE held_uploads (holder_id TEXT NOT NULL, modality TEXT NOT NULL, name TEXT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (holder_id, modality, name));
CREATE TABLE contacts (holder_id TEXT PRIMARY KEY, contacts_json TEXT NOT NULL);
CREATE TABLE challenges (challenge_id TEXT PRIMARY KEY, operator TEXT NOT NULL, subject TEXT NOT NULL, challenge_json TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE certifications (id BIGSERIAL PRIMARY KEY, person TEXT NOT NULL, at BIGINT NOT NULL, record_json TEXT NOT NULL);
CREATE INDEX certifications_person ON certifications (person);
CREATE TABLE audit_log (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail_json TEXT NOT NULL);
CREATE TABLE idempotency (idem_key TEXT PRIMARY KEY, status INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE deadline_runs (run_id TEXT PRIMARY KEY, run_date TEXT NOT NULL, summary_json TEXT NOT NULL, report_csv TEXT NOT NULL);
-- Audit rows are never changed or removed.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
