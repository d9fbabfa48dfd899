-- The review queue without scanning every enrollment: `review_since` is set (the start of
-- manual review, 12-digit zero-padded Unix seconds, so text order is time order) exactly
-- while a case waits for staff.
ALTER TABLE enrollments ADD COLUMN review_since TEXT;
UPDATE enrollments SET review_since = printf('%012d', json_extract(case_json, '$.state.since'))
  WHERE json_extract(case_json, '$.state.state') = 'manual_review';
CREATE INDEX enrollments_review ON enrollments (review_since, holder_id) WHERE review_since IS NOT NULL;
