//! Databases for the tests and the bench, never used by the server itself: each test gets a new,
//! empty one, an SQLite file or, when [`TEST_POSTGRES`] names a PostgreSQL server (as
//! `cargo xtask test` does on its second pass), a database of its own there.

use std::path::Path;

use anyhow::Context;
use sqlx::Connection;
use uuid::Uuid;

/// The variable naming a PostgreSQL server (an address with a user that may create databases)
/// on which the tests make their databases; without it they use SQLite files.
pub const TEST_POSTGRES: &str = "NASTAVNIK_TEST_POSTGRES";

/// The address of a new, empty database for a test: on the PostgreSQL server [`TEST_POSTGRES`]
/// names (a database of its own), otherwise an SQLite file in `dir`.
pub async fn scratch_database(dir: &Path) -> anyhow::Result<String> {
    let Ok(server) = std::env::var(TEST_POSTGRES) else {
        return Ok(format!("sqlite://{}", dir.join("t.db").display()));
    };
    let name = format!("t_{}", Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .with_context(|| format!("PostgreSQL для тестов недоступен: {server}"))?;
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str()).await?;
    admin.close().await?;
    let (base, _) = server
        .rsplit_once('/')
        .context("адрес PostgreSQL без имени базы")?;
    Ok(format!("{base}/{name}"))
}
