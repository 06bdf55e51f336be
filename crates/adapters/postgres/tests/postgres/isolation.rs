//! The test-database helpers themselves: leftovers are swept by age.

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use portcullis_postgres::test_support::{server_url, sweep_leftovers};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

/// A database a killed test run left behind two hours ago goes; a fresh one stays.
#[tokio::test(flavor = "multi_thread")]
async fn leftovers_older_than_an_hour_are_swept() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let suffix = uuid::Uuid::new_v4().simple();
    let old = format!("portcullis_test_{}_{suffix}", now - 7200);
    let young = format!("portcullis_test_{}_{suffix}", now - 60);
    let mut admin = AsyncPgConnection::establish(&server_url()).await.unwrap();
    for name in [&old, &young] {
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
    }
    sweep_leftovers().await.unwrap();
    let left: Vec<Name> =
        diesel::sql_query("SELECT datname::text FROM pg_database WHERE datname LIKE $1")
            .bind::<Text, _>(format!("%{suffix}"))
            .load(&mut admin)
            .await
            .unwrap();
    let left: Vec<String> = left.into_iter().map(|n| n.datname).collect();
    assert_eq!(left, vec![young.clone()]);
    diesel::sql_query(format!("DROP DATABASE {young} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
}
