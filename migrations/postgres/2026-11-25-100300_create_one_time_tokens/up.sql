-- Password-reset and email-verification tokens, stored as SHA-256 digests only.
CREATE TABLE one_time_tokens (
    hash       bytea       PRIMARY KEY,
    purpose    text        NOT NULL,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT one_time_tokens_hash_length_check CHECK (octet_length(hash) = 32),
    CONSTRAINT one_time_tokens_purpose_check CHECK (
        purpose IN ('password_reset', 'email_verification', 'mfa_login')
    )
);

-- replace: the user's older tokens of one purpose (and the cascade from users).
CREATE INDEX one_time_tokens_user_purpose_idx ON one_time_tokens (user_id, purpose);
-- The retention sweep.
CREATE INDEX one_time_tokens_expires_at_idx ON one_time_tokens (expires_at);
