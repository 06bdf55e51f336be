-- Accounts (the SQLite twin of migrations/postgres, same names and rules).
--
-- Encodings used by every SQLite table: UUIDs as lower-case hyphenated TEXT (36
-- characters: text order is UUID order), instants as INTEGER microseconds since the
-- Unix epoch (Postgres' precision), booleans as 0/1, digests as BLOB. STRICT tables:
-- a value of the wrong storage class is refused instead of silently kept.
--
-- Email and username are stored lower-cased by the application (the domain's parsers
-- normalize them); the unique indexes on lower(...) keep uniqueness case-insensitive
-- even for a row written by hand (SQLite's lower() folds ASCII letters), and serve the
-- look-ups, which compare lower(column) = lower(?).
CREATE TABLE users (
    id             TEXT    NOT NULL PRIMARY KEY,
    email          TEXT    NOT NULL,
    username       TEXT,
    name           TEXT    NOT NULL,
    role           TEXT    NOT NULL DEFAULT 'user',
    email_verified INTEGER NOT NULL DEFAULT 0,
    mfa_enabled    INTEGER NOT NULL DEFAULT 0,
    password_hash  TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    CONSTRAINT users_id_check CHECK (length(id) = 36),
    CONSTRAINT users_role_check CHECK (role IN ('user', 'admin')),
    CONSTRAINT users_email_length_check CHECK (length(email) BETWEEN 3 AND 254),
    CONSTRAINT users_username_format_check CHECK (
        length(username) BETWEEN 3 AND 32 AND username NOT GLOB '*[^a-z0-9_.-]*'
    ),
    CONSTRAINT users_name_length_check CHECK (length(name) BETWEEN 1 AND 100),
    CONSTRAINT users_flags_check CHECK (email_verified IN (0, 1) AND mfa_enabled IN (0, 1))
) STRICT;

-- The index names below are what the adapter maps to EmailTaken / UsernameTaken
-- (SQLite names the index of an expression in its "UNIQUE constraint failed" message).
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

-- count_admins and the last-admin guard: a tiny partial index instead of a scan.
CREATE INDEX users_admins_idx ON users (id) WHERE role = 'admin';
