//! `embed_migrations!` reads `migrations/sqlite` at compile time but does not tell cargo
//! about it: without `rerun-if-changed`, a new migration would not be embedded until
//! something else in the crate changed.

fn main() {
    println!("cargo:rerun-if-changed=../../../migrations/sqlite");
}
