-- TOTP enrolments: one per user, pending until confirmed_at is set.
CREATE TABLE mfa_totp (
    user_id          uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    encrypted_secret bytea       NOT NULL,
    confirmed_at     timestamptz,
    last_used_step   bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mfa_totp_last_used_step_check CHECK (last_used_step >= 0)
);

-- Recovery-code digests belong to an enrolment: deleting the enrolment (or, through
-- it, the user) deletes them. A used code keeps its row with used_at set.
CREATE TABLE mfa_recovery_codes (
    user_id   uuid        NOT NULL REFERENCES mfa_totp (user_id) ON DELETE CASCADE,
    code_hash bytea       NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash),
    CONSTRAINT mfa_recovery_codes_hash_length_check CHECK (octet_length(code_hash) = 32)
);
