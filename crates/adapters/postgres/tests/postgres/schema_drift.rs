//! `src/schema.rs` is written by hand: this compares it with the catalog of a freshly
//! migrated database (tables, columns in order, types, nullability, primary keys and
//! foreign keys), so a migration without its schema change — or the reverse — fails.

use std::collections::BTreeSet;

use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use diesel_async::RunQueryDsl;
use portcullis_postgres::test_support::TestDatabase;

const SCHEMA_RS: &str = include_str!("../../src/schema.rs");

/// (table, column, udt name, nullable) in column order, plus primary keys.
#[derive(Debug, Default, PartialEq)]
struct Shape {
    columns: Vec<(String, String, String, bool)>,
    primary_keys: Vec<(String, Vec<String>)>,
    foreign_keys: BTreeSet<(String, String, String)>,
}

fn udt_of(diesel_type: &str) -> String {
    match diesel_type {
        "Uuid" => "uuid",
        "Text" => "text",
        "Bool" => "bool",
        "Timestamptz" => "timestamptz",
        "Bytea" => "bytea",
        "Int4" => "int4",
        "Int8" => "int8",
        "Inet" => "inet",
        "Jsonb" => "jsonb",
        other => panic!("schema.rs uses {other}: add it to the drift test"),
    }
    .to_owned()
}

/// Reads the `table!` and `joinable!` declarations of schema.rs.
fn declared() -> Shape {
    let mut shape = Shape::default();
    let mut table: Option<String> = None;
    let mut sql_name: Option<String> = None;
    for line in SCHEMA_RS.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("diesel::joinable!(") {
            // child -> parent (column));
            let (child, rest) = rest.split_once(" -> ").unwrap();
            let (parent, column) = rest.split_once(" (").unwrap();
            let column = column.trim_end_matches("));");
            shape
                .foreign_keys
                .insert((child.into(), column.into(), parent.into()));
        } else if let Some((name, pk)) = line.strip_suffix(") {").and_then(|l| l.split_once(" (")) {
            table = Some(name.to_owned());
            let pk = pk.split(", ").map(str::to_owned).collect();
            shape.primary_keys.push((name.to_owned(), pk));
        } else if let Some(name) = line.strip_prefix("#[sql_name = \"") {
            sql_name = Some(name.trim_end_matches("\"]").to_owned());
        } else if let (Some(t), Some((column, ty))) = (&table, line.split_once(" -> ")) {
            let ty = ty.trim_end_matches(',');
            let (ty, nullable) = match ty.strip_prefix("Nullable<") {
                Some(inner) => (inner.trim_end_matches('>'), true),
                None => (ty, false),
            };
            let column = sql_name.take().unwrap_or_else(|| column.to_owned());
            shape
                .columns
                .push((t.clone(), column, udt_of(ty), nullable));
        } else if line == "}" {
            table = None;
        }
    }
    shape.columns.sort_by(|a, b| a.0.cmp(&b.0));
    shape.primary_keys.sort();
    shape
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    parent: String,
}

async fn live(db: &TestDatabase) -> Shape {
    let mut conn = db.pool().get().await.unwrap();
    let columns: Vec<ColumnRow> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, udt_name::text, \
         is_nullable = 'YES' AS nullable FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
         ORDER BY table_name, ordinal_position",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let keys: Vec<KeyRow> = diesel::sql_query(
        "SELECT c.conrelid::regclass::text AS table_name, a.attname::text AS column_name, \
         c.contype::text AS parent \
         FROM pg_constraint c, unnest(c.conkey) WITH ORDINALITY AS k(attnum, n), pg_attribute a \
         WHERE c.contype = 'p' AND c.connamespace = 'public'::regnamespace \
         AND a.attrelid = c.conrelid AND a.attnum = k.attnum \
         AND c.conrelid::regclass::text <> '__diesel_schema_migrations' \
         ORDER BY 1, k.n",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let fks: Vec<KeyRow> = diesel::sql_query(
        "SELECT c.conrelid::regclass::text AS table_name, a.attname::text AS column_name, \
         c.confrelid::regclass::text AS parent \
         FROM pg_constraint c JOIN pg_attribute a \
         ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let mut shape = Shape {
        columns: columns
            .into_iter()
            .map(|c| (c.table_name, c.column_name, c.udt_name, c.nullable))
            .collect(),
        ..Shape::default()
    };
    for key in keys {
        match shape.primary_keys.last_mut() {
            Some((table, cols)) if *table == key.table_name => cols.push(key.column_name),
            _ => shape
                .primary_keys
                .push((key.table_name, vec![key.column_name])),
        }
    }
    shape.foreign_keys = fks
        .into_iter()
        .map(|k| (k.table_name, k.column_name, k.parent))
        .collect();
    shape
}

#[tokio::test(flavor = "multi_thread")]
async fn schema_rs_matches_the_migrated_database() {
    let db = TestDatabase::new().await.unwrap();
    let (declared, live) = (declared(), live(&db).await);
    assert!(!declared.columns.is_empty(), "schema.rs was not parsed");
    assert_eq!(
        declared.columns, live.columns,
        "columns (table, name, type, nullable)"
    );
    assert_eq!(declared.primary_keys, live.primary_keys, "primary keys");
    assert_eq!(
        declared.foreign_keys, live.foreign_keys,
        "foreign keys (joinable!)"
    );
    db.close().await.unwrap();
}
