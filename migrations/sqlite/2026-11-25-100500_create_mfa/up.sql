-- TOTP enrolments: one per user, pending until confirmed_at is set.
CREATE TABLE mfa_totp (
    user_id          TEXT    NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    encrypted_secret BLOB    NOT NULL,
    confirmed_at     INTEGER,
    last_used_step   INTEGER,
    created_at       INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    CONSTRAINT mfa_totp_last_used_step_check CHECK (last_used_step >= 0)
) STRICT;

-- Recovery-code digests belong to an enrolment: deleting the enrolment (or, through
-- it, the user) deletes them. A used code keeps its row with used_at set.
CREATE TABLE mfa_recovery_codes (
    user_id   TEXT    NOT NULL REFERENCES mfa_totp (user_id) ON DELETE CASCADE,
    code_hash BLOB    NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (user_id, code_hash),
    CONSTRAINT mfa_recovery_codes_hash_length_check CHECK (length(code_hash) = 32)
) STRICT;
