-- The retention job deletes audit events older than AUDIT_RETENTION_DAYS by `at`.
-- CONCURRENTLY: the table is large and written on every login and refresh, so the
-- build must not block inserts (hence run_in_transaction = false in metadata.toml, and
-- a single statement: several would run in one implicit transaction). No IF NOT
-- EXISTS: a failed concurrent build leaves an invalid index behind, and the next run
-- must fail loudly rather than keep it.
CREATE INDEX CONCURRENTLY audit_events_at_idx ON audit_events (at);
