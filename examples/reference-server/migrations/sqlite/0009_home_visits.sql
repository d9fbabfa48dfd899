-- Home visits (上门认证): one row per request, keyed `<requested_at, 12 digits>-<random>` so
-- the key orders the worklist. At most one open visit per person (parallel requests
-- cannot open two).
CREATE TABLE home_visits (visit_id TEXT PRIMARY KEY, person TEXT NOT NULL, status TEXT NOT NULL, visit_json TEXT NOT NULL, version BIGINT NOT NULL DEFAULT 0);
CREATE INDEX home_visits_status ON home_visits (status, visit_id);
CREATE INDEX home_visits_person ON home_visits (person);
CREATE UNIQUE INDEX home_visits_one_open ON home_visits (person) WHERE status IN ('requested', 'assigned');
