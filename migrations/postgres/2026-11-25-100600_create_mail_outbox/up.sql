-- Outgoing mail, written in the transaction of the change that causes it and sent by a
-- worker with retries (the mail issue).
CREATE TABLE mail_outbox (
    id              uuid        PRIMARY KEY,
    recipient       text        NOT NULL,
    subject         text        NOT NULL,
    text_body       text        NOT NULL,
    html_body       text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    sent_at         timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL,
    CONSTRAINT mail_outbox_attempts_check CHECK (attempts >= 0)
);

-- The worker's poll: unsent mail that is due, oldest due first.
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL;
