-- Proxy by consent: a holder's request to act for a relative waits here until the relative
-- (in their own account) or staff (at the counter) confirm it.
CREATE TABLE contact_requests (holder_id TEXT NOT NULL, relative_id TEXT NOT NULL, requested_at BIGINT NOT NULL, PRIMARY KEY (holder_id, relative_id));
CREATE INDEX contact_requests_relative ON contact_requests (relative_id);
