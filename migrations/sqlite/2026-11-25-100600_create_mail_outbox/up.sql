-- Outgoing mail, sent by a worker with retries. Mail the worker gave up on has
-- next_attempt_at = 9223372036854775807 (the largest INTEGER: never due again).
CREATE TABLE mail_outbox (
    id              TEXT    NOT NULL PRIMARY KEY,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    text_body       TEXT    NOT NULL,
    html_body       TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    CONSTRAINT mail_outbox_id_check CHECK (length(id) = 36),
    CONSTRAINT mail_outbox_attempts_check CHECK (attempts >= 0)
) STRICT;

-- The worker's poll: unsent mail that is due, oldest due first.
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
