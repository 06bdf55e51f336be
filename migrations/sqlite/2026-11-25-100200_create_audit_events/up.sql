-- Append-only security events. user_id and actor_id are deliberately NOT foreign keys:
-- the trail outlives the accounts it is about. details is a JSON object as TEXT, kept
-- byte for byte as recorded.
CREATE TABLE audit_events (
    id         TEXT    NOT NULL PRIMARY KEY,
    type       TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    user_id    TEXT,
    actor_id   TEXT,
    ip         TEXT,
    user_agent TEXT,
    details    TEXT    NOT NULL DEFAULT '{}',
    CONSTRAINT audit_events_id_check CHECK (length(id) = 36),
    CONSTRAINT audit_events_type_check CHECK (type IN (
        'login_succeeded', 'login_failed', 'account_locked', 'token_refreshed',
        'refresh_token_reused', 'device_mismatch', 'logout', 'session_revoked',
        'session_evicted', 'password_changed', 'password_reset', 'email_verified',
        'role_changed', 'user_created', 'user_updated', 'user_deleted', 'mfa_enabled',
        'mfa_disabled', 'oauth_linked', 'oauth_unlinked'
    )),
    CONSTRAINT audit_events_details_check CHECK (
        json_valid(details) AND json_type(details) = 'object'
    )
) STRICT;

-- Ids are UUID v7, so "newest first" is ORDER BY id DESC and keyset pages are
-- id < ?. The primary key, scanned backwards, serves the unfiltered list.
CREATE INDEX audit_events_user_id_idx ON audit_events (user_id, id DESC);
CREATE INDEX audit_events_type_id_idx ON audit_events (type, id DESC);
