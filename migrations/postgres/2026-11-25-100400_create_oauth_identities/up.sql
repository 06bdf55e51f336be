-- Links between provider accounts and local users, unique by (provider, subject).
CREATE TABLE oauth_identities (
    provider   text        NOT NULL,
    subject    text        NOT NULL,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email      text,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (provider, subject),
    CONSTRAINT oauth_identities_provider_check CHECK (provider IN ('google', 'github')),
    CONSTRAINT oauth_identities_subject_check CHECK (char_length(subject) BETWEEN 1 AND 255)
);

-- list_for_user, unlink (user, provider), and the cascade from users.
CREATE INDEX oauth_identities_user_provider_idx ON oauth_identities (user_id, provider);
