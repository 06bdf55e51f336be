-- Append-only security events. user_id and actor_id are deliberately NOT foreign keys:
-- the trail outlives the accounts it is about.
CREATE TABLE audit_events (
    id         uuid        PRIMARY KEY,
    type       text        NOT NULL,
    at         timestamptz NOT NULL,
    user_id    uuid,
    actor_id   uuid,
    ip         inet,
    user_agent text,
    details    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT audit_events_type_check CHECK (type IN (
        'login_succeeded', 'login_failed', 'account_locked', 'token_refreshed',
        'refresh_token_reused', 'device_mismatch', 'logout', 'session_revoked',
        'session_evicted', 'password_changed', 'password_reset', 'email_verified',
        'role_changed', 'user_created', 'user_updated', 'user_deleted', 'mfa_enabled',
        'mfa_disabled', 'oauth_linked', 'oauth_unlinked'
    )),
    CONSTRAINT audit_events_details_check CHECK (jsonb_typeof(details) = 'object')
);

-- Ids are UUID v7, so "newest first" is ORDER BY id DESC and keyset pages are
-- id < $before. The primary key, scanned backwards, serves the unfiltered list.
CREATE INDEX audit_events_user_id_idx ON audit_events (user_id, id DESC);
CREATE INDEX audit_events_type_id_idx ON audit_events (type, id DESC);
