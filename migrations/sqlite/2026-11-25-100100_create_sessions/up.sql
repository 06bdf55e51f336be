-- One signed-in device: the source of truth for whether a session is alive.
CREATE TABLE sessions (
    id             TEXT    NOT NULL PRIMARY KEY,
    user_id        TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    last_used_at   INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    revoked_reason TEXT,
    user_agent     TEXT,
    ip             TEXT,
    fingerprint    BLOB    NOT NULL,
    CONSTRAINT sessions_id_check CHECK (length(id) = 36),
    CONSTRAINT sessions_fingerprint_length_check CHECK (length(fingerprint) = 32),
    CONSTRAINT sessions_revocation_check CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
    CONSTRAINT sessions_revoked_reason_check CHECK (revoked_reason IN (
        'logout', 'logout_all', 'revoked', 'admin_revoked', 'password_changed',
        'refresh_token_reused', 'device_mismatch', 'evicted', 'account_deleted',
        'invalidated'
    ))
) STRICT;

-- A user's sessions: list_active (newest first), the eviction scan of create,
-- revoke_all, and the ON DELETE CASCADE from users.
CREATE INDEX sessions_user_created_idx ON sessions (user_id, created_at DESC);
-- The retention sweep (purge): expired before a cut-off ...
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
-- ... or revoked before another.
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
