-- Links between provider accounts and local users, unique by (provider, subject).
CREATE TABLE oauth_identities (
    provider   TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (provider, subject),
    CONSTRAINT oauth_identities_provider_check CHECK (provider IN ('google', 'github')),
    CONSTRAINT oauth_identities_subject_check CHECK (length(subject) BETWEEN 1 AND 255)
) STRICT;

-- list_for_user, unlink (user, provider), and the cascade from users.
CREATE INDEX oauth_identities_user_provider_idx ON oauth_identities (user_id, provider);
