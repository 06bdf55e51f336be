//! `UserRepository` contract.

mod queries;
mod writes;

use std::future::Future;
use std::sync::Arc;

use portcullis_domain::ports::UserRepository;

use crate::suite::Suite;

/// Checks a [`UserRepository`] adapter against its contract. `make` returns a fresh,
/// empty repository for each clause.
///
/// Clauses: round-trip through every finder; `EmailTaken` / `UsernameTaken` on insert
/// and update, with nothing stored or changed; accounts without a username never
/// collide; exactly one of 50 concurrent inserts of one email (one username) succeeds,
/// the rest get the matching `*Taken`; exactly one of many concurrent updates to one
/// email succeeds; `update` replaces every field and is `NotFound` for an unknown id;
/// `delete` reports existence and frees the email and username; `list` is ascending by
/// id with `after`/`limit` and a case-insensitive `q`; `count_admins`.
///
/// # Panics
/// Once, after every clause ran, listing each broken clause.
pub async fn user_repository_contract<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn UserRepository>>,
{
    let mut s = Suite::new("UserRepository");
    s.clause(
        "insert, then find by id, email and username return the stored user",
        writes::round_trip(make().await),
    )
    .await;
    s.clause(
        "insert of a taken email is EmailTaken (case-insensitively) and stores nothing",
        writes::email_taken(make().await),
    )
    .await;
    s.clause(
        "insert of a taken username is UsernameTaken and stores nothing",
        writes::username_taken(make().await),
    )
    .await;
    s.clause(
        "accounts without a username do not collide",
        writes::no_username_no_collision(make().await),
    )
    .await;
    s.clause(
        "50 concurrent inserts of one email: exactly one Ok, 49 EmailTaken",
        writes::concurrent_email_inserts(make().await),
    )
    .await;
    s.clause(
        "50 concurrent inserts of one username: exactly one Ok, 49 UsernameTaken",
        writes::concurrent_username_inserts(make().await),
    )
    .await;
    s.clause(
        "update replaces every field, and the old email and username are free",
        queries::update_replaces_every_field(make().await),
    )
    .await;
    s.clause(
        "update of an unknown id is NotFound and stores nothing",
        queries::update_unknown(make().await),
    )
    .await;
    s.clause(
        "update to another account's email / username is *Taken and changes nothing",
        queries::update_taken(make().await),
    )
    .await;
    s.clause(
        "concurrent updates of many accounts to one email: exactly one succeeds",
        queries::concurrent_updates_to_one_email(make().await),
    )
    .await;
    s.clause(
        "delete returns whether the account existed and frees email and username",
        queries::delete(make().await),
    )
    .await;
    s.clause(
        "list is ascending by id, honours after and limit",
        queries::list_pages(make().await),
    )
    .await;
    s.clause(
        "list filters by a case-insensitive substring of email, name or username",
        queries::list_filters(make().await),
    )
    .await;
    s.clause(
        "count_admins counts the accounts with the admin role",
        queries::count_admins(make().await),
    )
    .await;
    s.clause(
        "demoting or deleting the only admin is LastAdmin and changes nothing",
        queries::last_admin_is_kept(make().await),
    )
    .await;
    s.clause(
        "two admins demoting each other concurrently: exactly one succeeds",
        queries::last_admin_race(make().await),
    )
    .await;
    s.finish();
}
