//! `nastavnik backup` and `nastavnik restore` on PostgreSQL, with PostgreSQL's own `pg_dump` and
//! `pg_restore` (Debian's `postgresql-client`): a dump in the custom format is one consistent
//! snapshot taken while the servers run. A restore refuses while anybody else is connected to
//! the database, dumps the database it replaces beside the copy, restores the copy in one
//! transaction and gives the database a new epoch, as on SQLite (see `backup.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use sqlx::Connection;

use super::backup::{Restored, create_private, new_epoch};

/// Runs a PostgreSQL program; its own message when it fails.
fn run(program: &str, args: &[&std::ffi::OsStr]) -> anyhow::Result<String> {
    let out = Command::new(program).args(args).output().with_context(|| {
        format!("не удалось запустить {program}: установите клиент PostgreSQL (postgresql-client)")
    })?;
    if !out.status.success() {
        anyhow::bail!("{program}: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A consistent copy of the database at `url` into a new file `path` (readable by its owner
/// only), while the servers run.
pub async fn backup(url: &str, path: &Path) -> anyhow::Result<()> {
    create_private(path)?;
    let dumped = run(
        "pg_dump",
        &[
            "--format=custom".as_ref(),
            "--file".as_ref(),
            path.as_os_str(),
            "--dbname".as_ref(),
            url.as_ref(),
        ],
    );
    if let Err(e) = dumped {
        let _ = std::fs::remove_file(path);
        return Err(e.context(format!("не удалось записать копию в {}", path.display())));
    }
    Ok(())
}

/// Puts the dump `from` (made by [`backup`]) in the place of the database at `url`.
pub async fn restore(url: &str, from: &Path) -> anyhow::Result<Restored> {
    if !from.is_file() {
        anyhow::bail!("файла копии {} нет", from.display());
    }
    let listing = run("pg_restore", &["--list".as_ref(), from.as_os_str()]).map_err(|_| {
        anyhow::anyhow!(
            "{} — не копия базы Наставника (pg_dump --format=custom); ничего не изменено",
            from.display()
        )
    })?;
    if ![
        "TABLE public records",
        "TABLE public changes",
        "TABLE public server_secrets",
    ]
    .iter()
    .all(|t| listing.contains(t))
    {
        anyhow::bail!(
            "{} — копия другой базы, не Наставника; ничего не изменено",
            from.display()
        );
    }
    // A server just stopped may take a moment to leave: a few seconds are waited for.
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .with_context(|| format!("Не удалось открыть базу данных «{url}»"))?;
    let mut others: i64 = 0;
    for _ in 0..25 {
        others = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_one(&mut conn)
        .await?;
        if others == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    conn.close().await?;
    if others > 0 {
        anyhow::bail!(
            "с базой работают (подключений: {others}): остановите все серверы и повторите; \
             ничего не изменено"
        );
    }

    // The database being replaced is dumped beside the copy first.
    let stamp = super::now_ms();
    let previous: PathBuf = {
        let mut name = from.as_os_str().to_owned();
        name.push(format!(".before-restore-{stamp}"));
        name.into()
    };
    backup(url, &previous)
        .await
        .context("не удалось сохранить нынешнюю базу; ничего не изменено")?;

    run(
        "pg_restore",
        &[
            "--clean".as_ref(),
            "--if-exists".as_ref(),
            "--no-owner".as_ref(),
            "--single-transaction".as_ref(),
            "--dbname".as_ref(),
            url.as_ref(),
            from.as_os_str(),
        ],
    )
    .context("копия не восстановлена; база осталась прежней")?;

    let epoch = new_epoch();
    let mut conn = sqlx::PgConnection::connect(url).await?;
    sqlx::query(
        "INSERT INTO server_secrets (name, value) VALUES ('epoch', $1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(&epoch)
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(Restored {
        previous: Some(previous),
        epoch,
    })
}
