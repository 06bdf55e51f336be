//! The diesel view of `migrations/postgres`. Written by hand in the shape
//! `diesel print-schema` produces; the `schema_drift` test compares it with the live
//! catalog of a freshly migrated database, so an edit on either side alone fails.
#![expect(missing_docs, reason = "generated-style table declarations")]

diesel::table! {
    audit_events (id) {
        id -> Uuid,
        #[sql_name = "type"]
        kind -> Text,
        at -> Timestamptz,
        user_id -> Nullable<Uuid>,
        actor_id -> Nullable<Uuid>,
        ip -> Nullable<Inet>,
        user_agent -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Uuid,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    mfa_recovery_codes (user_id, code_hash) {
        user_id -> Uuid,
        code_hash -> Bytea,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    mfa_totp (user_id) {
        user_id -> Uuid,
        encrypted_secret -> Bytea,
        confirmed_at -> Nullable<Timestamptz>,
        last_used_step -> Nullable<Int8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    oauth_identities (provider, subject) {
        provider -> Text,
        subject -> Text,
        user_id -> Uuid,
        email -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    one_time_tokens (hash) {
        hash -> Bytea,
        purpose -> Text,
        user_id -> Uuid,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        created_at -> Timestamptz,
        last_used_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Inet>,
        fingerprint -> Bytea,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        username -> Nullable<Text>,
        name -> Text,
        role -> Text,
        email_verified -> Bool,
        mfa_enabled -> Bool,
        password_hash -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(mfa_recovery_codes -> mfa_totp (user_id));
diesel::joinable!(mfa_totp -> users (user_id));
diesel::joinable!(oauth_identities -> users (user_id));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    audit_events,
    mail_outbox,
    mfa_recovery_codes,
    mfa_totp,
    oauth_identities,
    one_time_tokens,
    sessions,
    users,
);
