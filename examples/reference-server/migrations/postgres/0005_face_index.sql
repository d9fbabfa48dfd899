-- One face, one person: every approval and revocation of a face template, in order, so
-- each server instance keeps its in-memory 1:N index current by reading what is new.
CREATE TABLE face_index_log (seq BIGSERIAL PRIMARY KEY, holder_id TEXT NOT NULL, template_ref TEXT);
