-- The retention job deletes audit events older than AUDIT_RETENTION_DAYS by `at`.
CREATE INDEX audit_events_at_idx ON audit_events (at);
