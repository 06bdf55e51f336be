-- Accounts. Email and username are stored lower-cased by the application (the domain's
-- parsers normalize them); the unique indexes on lower(...) make uniqueness
-- case-insensitive even for a row written by hand, and serve the look-ups, which
-- compare lower(column) = lower($1).
CREATE TABLE users (
    id             uuid        PRIMARY KEY,
    email          text        NOT NULL,
    username       text,
    name           text        NOT NULL,
    role           text        NOT NULL DEFAULT 'user',
    email_verified boolean     NOT NULL DEFAULT false,
    mfa_enabled    boolean     NOT NULL DEFAULT false,
    password_hash  text,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT users_role_check CHECK (role IN ('user', 'admin')),
    CONSTRAINT users_email_length_check CHECK (char_length(email) BETWEEN 3 AND 254),
    CONSTRAINT users_username_format_check CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
    CONSTRAINT users_name_length_check CHECK (char_length(name) BETWEEN 1 AND 100)
);

-- The constraint names below are what the adapter maps to EmailTaken / UsernameTaken.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

-- count_admins: a tiny partial index instead of a scan of every account.
CREATE INDEX users_admins_idx ON users (id) WHERE role = 'admin';
