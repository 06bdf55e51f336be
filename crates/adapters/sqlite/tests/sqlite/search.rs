//! `UserRepository::list` search beyond the shared contract: SQLite's own `LIKE` folds
//! ASCII letters only, so names are compared case-folded; `%` and `_` in a query are
//! literal.

use portcullis_domain::DisplayName;
use portcullis_domain::ports::UserListQuery;
use portcullis_testkit::sample_user;

use crate::support::TempDb;

fn query(q: &str) -> UserListQuery {
    UserListQuery {
        q: Some(q.to_owned()),
        after: None,
        limit: 100,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn names_match_case_insensitively_beyond_ascii_and_wildcards_are_literal() {
    let db = TempDb::new().await;
    let users = &db.stores.users;
    let mut emile = sample_user("emile@example.com");
    emile.name = DisplayName::parse("Émile Zola").unwrap();
    let mut percent = sample_user("percent@example.com");
    percent.name = DisplayName::parse("100% Sure").unwrap();
    let plain = sample_user("plain_user@example.com");
    // Would match "n_u" if '_' were the LIKE wildcard.
    let decoy = sample_user("danxu@example.com");
    for user in [&emile, &percent, &plain, &decoy] {
        users.insert(user).await.unwrap();
    }
    let ids =
        |found: Vec<portcullis_domain::User>| found.into_iter().map(|u| u.id).collect::<Vec<_>>();
    assert_eq!(ids(users.list(&query("émile")).await.unwrap()), [emile.id]);
    assert_eq!(ids(users.list(&query("ÉMILE")).await.unwrap()), [emile.id]);
    assert_eq!(ids(users.list(&query("0%")).await.unwrap()), [percent.id]);
    assert_eq!(
        ids(users.list(&query("n_u")).await.unwrap()),
        [plain.id],
        "'_' is not a wildcard"
    );
    assert!(users.list(&query("%%")).await.unwrap().is_empty());
}
