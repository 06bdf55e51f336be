//! The diesel view of `migrations/sqlite`, written by hand. Column types are diesel's
//! standard ones; the encodings of ids, instants and addresses on top of them are in
//! [`crate::types`]. The test below compares this file with the tables a freshly
//! migrated database actually has, so an edit on either side alone fails.

diesel::table! {
    audit_events (id) {
        id -> Text,
        #[sql_name = "type"]
        kind -> Text,
        at -> BigInt,
        user_id -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        details -> Text,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        attempts -> Integer,
        next_attempt_at -> BigInt,
        sent_at -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    mfa_recovery_codes (user_id, code_hash) {
        user_id -> Text,
        code_hash -> Binary,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    mfa_totp (user_id) {
        user_id -> Text,
        encrypted_secret -> Binary,
        confirmed_at -> Nullable<BigInt>,
        last_used_step -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    oauth_identities (provider, subject) {
        provider -> Text,
        subject -> Text,
        user_id -> Text,
        email -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    one_time_tokens (hash) {
        hash -> Binary,
        purpose -> Text,
        user_id -> Text,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> BigInt,
        last_used_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
        revoked_reason -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        fingerprint -> Binary,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        username -> Nullable<Text>,
        name -> Text,
        role -> Text,
        email_verified -> Bool,
        mfa_enabled -> Bool,
        password_hash -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use diesel::prelude::*;
    use diesel::sql_types::Text;
    use diesel::sqlite::Sqlite;

    use super::*;

    #[derive(QueryableByName)]
    struct Column {
        #[diesel(sql_type = Text)]
        name: String,
    }

    /// The column names diesel selects for `all_columns` of a table.
    fn declared<T>(table: T) -> BTreeSet<String>
    where
        T: Table + diesel::query_dsl::methods::SelectDsl<T::AllColumns>,
        <T as diesel::query_dsl::methods::SelectDsl<T::AllColumns>>::Output:
            diesel::query_builder::QueryFragment<Sqlite>,
    {
        let select = table.select(T::all_columns());
        let sql = diesel::debug_query::<Sqlite, _>(&select).to_string();
        let list = sql
            .strip_prefix("SELECT ")
            .and_then(|rest| rest.split(" FROM ").next())
            .unwrap();
        list.split(", ")
            .map(|qualified| {
                qualified
                    .rsplit('.')
                    .next()
                    .unwrap()
                    .trim_matches('`')
                    .to_owned()
            })
            .collect()
    }

    #[tokio::test]
    async fn schema_matches_the_migrations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schema.db");
        crate::run_migrations(&path).await.unwrap();
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        let mut actual = |table: &str| -> BTreeSet<String> {
            diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')"))
                .load::<Column>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        let tables = [
            ("audit_events", declared(audit_events::table)),
            ("mail_outbox", declared(mail_outbox::table)),
            ("mfa_recovery_codes", declared(mfa_recovery_codes::table)),
            ("mfa_totp", declared(mfa_totp::table)),
            ("oauth_identities", declared(oauth_identities::table)),
            ("one_time_tokens", declared(one_time_tokens::table)),
            ("sessions", declared(sessions::table)),
            ("users", declared(users::table)),
        ];
        for (name, columns) in tables {
            assert!(
                columns.len() >= 3,
                "parsed the columns of {name}: {columns:?}"
            );
            assert_eq!(actual(name), columns, "columns of {name}");
        }
    }
}
