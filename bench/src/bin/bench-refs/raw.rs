//! `raw`: the round trips a refresh-token rotation cannot avoid, and nothing else:
//! one Redis EVAL (a trivial Lua script on one key) and one Postgres single-row UPDATE
//! per request, through the same client stack as Portcullis (a redis
//! `ConnectionManager`, diesel-async on a deadpool pool of the same size).
//!
//! `POST /raw` with `{"id": n}` (1..=rows) answers `{"n": <counter>}`.

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context as _;
use diesel::sql_types::Integer;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use redis::aio::ConnectionManager;
use serde::Deserialize;

pub struct Settings {
    pub database_url: String,
    pub redis_url: String,
    pub redis_prefix: String,
    pub rows: i32,
    pub pool_size: usize,
}

struct State {
    pool: Pool<AsyncPgConnection>,
    redis: ConnectionManager,
    script: redis::Script,
    prefix: String,
    rows: i32,
}

#[derive(Deserialize)]
struct RawRequest {
    id: i32,
}

pub async fn serve(addr: (&str, u16), settings: Settings) -> anyhow::Result<()> {
    // The minimum per checkout: no `SELECT 1` on recycle (Portcullis verifies by
    // default, which the report points out).
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        &settings.database_url,
        config,
    );
    let pool = Pool::builder(manager)
        .max_size(settings.pool_size)
        .build()
        .context("building the Postgres pool")?;
    prepare_table(&pool, settings.rows).await?;
    let client = redis::Client::open(settings.redis_url.as_str()).context("REDIS URL")?;
    let redis = ConnectionManager::new(client)
        .await
        .context("connecting to Redis")?;
    let state = web::Data::new(State {
        pool,
        redis,
        script: redis::Script::new("return redis.call('INCR', KEYS[1])"),
        prefix: settings.redis_prefix,
        rows: settings.rows,
    });
    HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route(
                "/health",
                web::get().to(|| async { HttpResponse::Ok().finish() }),
            )
            .route("/raw", web::post().to(raw))
    })
    .bind(addr)?
    .run()
    .await?;
    Ok(())
}

async fn prepare_table(pool: &Pool<AsyncPgConnection>, rows: i32) -> anyhow::Result<()> {
    let mut conn = pool.get().await.context("connecting to Postgres")?;
    diesel::sql_query(
        "CREATE TABLE IF NOT EXISTS bench_raw (id integer PRIMARY KEY, \
         n bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())",
    )
    .execute(&mut conn)
    .await
    .context("creating bench_raw")?;
    diesel::sql_query(
        "INSERT INTO bench_raw (id) SELECT generate_series(1, $1) ON CONFLICT DO NOTHING",
    )
    .bind::<Integer, _>(rows)
    .execute(&mut conn)
    .await
    .context("filling bench_raw")?;
    Ok(())
}

async fn raw(state: web::Data<State>, body: web::Json<RawRequest>) -> HttpResponse {
    let id = body.id;
    if !(1..=state.rows).contains(&id) {
        return HttpResponse::BadRequest().finish();
    }
    match round_trips(&state, id).await {
        Ok(n) => HttpResponse::Ok().json(serde_json::json!({ "n": n })),
        Err(err) => {
            eprintln!("bench-refs raw: {err:#}");
            HttpResponse::InternalServerError().finish()
        }
    }
}

async fn round_trips(state: &State, id: i32) -> anyhow::Result<i64> {
    let mut redis = state.redis.clone();
    let n: i64 = state
        .script
        .key(format!("{}{id}", state.prefix))
        .invoke_async(&mut redis)
        .await
        .context("EVAL")?;
    let mut conn = state.pool.get().await.context("pool")?;
    let updated =
        diesel::sql_query("UPDATE bench_raw SET n = n + 1, updated_at = now() WHERE id = $1")
            .bind::<Integer, _>(id)
            .execute(&mut conn)
            .await
            .context("UPDATE")?;
    anyhow::ensure!(updated == 1, "no row {id}");
    Ok(n)
}
