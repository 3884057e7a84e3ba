//! `nastavnik backup` and `nastavnik restore` on PostgreSQL, with PostgreSQL's own `pg_dump`,
//! `pg_restore` and `psql` (Debian's `postgresql-client`): a dump in the custom format is one
//! consistent snapshot taken while the servers run. A restore refuses while anybody else is
//! connected to the database, dumps the database it replaces beside the copy, then in one
//! transaction drops this application's tables, restores the copy and gives the database a new
//! epoch, as on SQLite (see `backup.rs`): it happens whole or not at all. The password of the
//! address goes to these programs in their environment, never on a command line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context;
use sqlx::Connection;

use super::backup::{Restored, create_private, new_epoch};

/// An address without its password, and the password.
fn without_password(url: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut parsed =
        url::Url::parse(url).with_context(|| "неверный адрес базы данных PostgreSQL".to_owned())?;
    let password = parsed.password().map(|p| {
        percent_encoding::percent_decode_str(p)
            .decode_utf8_lossy()
            .into_owned()
    });
    let _ = parsed.set_password(None);
    Ok((parsed.into(), password))
}

/// The address as it may be shown (the password hidden).
pub fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.into()
        }
        _ => url.to_owned(),
    }
}

/// A PostgreSQL program for the database at `url`: its address without the password as
/// `--dbname`, the password in `PGPASSWORD`.
fn program(name: &str, url: &str) -> anyhow::Result<Command> {
    let (bare, password) = without_password(url)?;
    let mut cmd = Command::new(name);
    cmd.arg("--dbname").arg(bare);
    if let Some(password) = password {
        cmd.env("PGPASSWORD", password);
    }
    Ok(cmd)
}

/// Runs a program to its end; its own message when it fails.
fn run(mut cmd: Command) -> anyhow::Result<String> {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().with_context(|| {
        format!("не удалось запустить {name}: установите клиент PostgreSQL (postgresql-client)")
    })?;
    if !out.status.success() {
        anyhow::bail!("{name}: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A consistent copy of the database at `url` into a new file `path` (readable by its owner
/// only), while the servers run.
pub async fn backup(url: &str, path: &Path) -> anyhow::Result<()> {
    create_private(path)?;
    let mut cmd = program("pg_dump", url)?;
    cmd.arg("--format=custom").arg("--file").arg(path);
    if let Err(e) = run(cmd) {
        let _ = std::fs::remove_file(path);
        return Err(e.context(format!("не удалось записать копию в {}", path.display())));
    }
    Ok(())
}

/// How many other clients are connected to the database (a server just stopped is waited
/// for a few seconds).
async fn others_connected(url: &str) -> anyhow::Result<i64> {
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .with_context(|| format!("Не удалось открыть базу данных «{}»", shown(url)))?;
    let mut others = 0;
    for _ in 0..25 {
        others = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
        )
        .fetch_one(&mut conn)
        .await?;
        if others == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    conn.close().await?;
    Ok(others)
}

fn refuse_if_used(others: i64) -> anyhow::Result<()> {
    if others > 0 {
        anyhow::bail!(
            "с базой работают (подключений: {others}): остановите все серверы и повторите; \
             ничего не изменено"
        );
    }
    Ok(())
}

/// Drops this application's tables and sequences (those of a newer version too), so the copy
/// comes back as it was, whatever version it was made with.
const EMPTY_SCHEMA: &str = "DO $$ DECLARE r record; BEGIN \
    FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP \
        EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', r.tablename); END LOOP; \
    FOR r IN SELECT sequence_name FROM information_schema.sequences \
        WHERE sequence_schema = 'public' LOOP \
        EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', r.sequence_name); END LOOP; \
    END $$;\n";

/// Puts the dump `from` (made by [`backup`]) in the place of the database at `url`.
pub async fn restore(url: &str, from: &Path) -> anyhow::Result<Restored> {
    if !from.is_file() {
        anyhow::bail!("файла копии {} нет", from.display());
    }
    let listing = run({
        let mut cmd = Command::new("pg_restore");
        cmd.arg("--list").arg(from);
        cmd
    })
    .map_err(|_| {
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
    refuse_if_used(others_connected(url).await?)?;

    // The database being replaced is dumped beside the copy first.
    let previous: PathBuf = {
        let mut name = from.as_os_str().to_owned();
        name.push(format!(".before-restore-{}", super::now_ms()));
        name.into()
    };
    backup(url, &previous)
        .await
        .context("не удалось сохранить нынешнюю базу; ничего не изменено")?;
    refuse_if_used(others_connected(url).await?)?;

    // pg_restore writes the copy as SQL; psql runs it inside one transaction that commits only
    // when all of it was read and ran (ON_ERROR_STOP), with the new epoch.
    let epoch = new_epoch();
    let mut sql = Command::new("pg_restore")
        .args(["--no-owner", "--file", "-"])
        .arg(from)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("не удалось запустить pg_restore: установите клиент PostgreSQL")?;
    let mut psql = program("psql", url)?
        .args(["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1"])
        // Only warnings and errors reach the administrator (not the notices of DROP … CASCADE).
        .env("PGOPTIONS", "-c client_min_messages=warning")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("не удалось запустить psql: установите клиент PostgreSQL")?;
    let fed = (|| -> std::io::Result<bool> {
        let mut input = psql.stdin.take().expect("piped");
        input.write_all(b"BEGIN;\n")?;
        input.write_all(EMPTY_SCHEMA.as_bytes())?;
        std::io::copy(sql.stdout.as_mut().expect("piped"), &mut input)?;
        let read_whole = sql.wait()?.success();
        if read_whole {
            writeln!(
                input,
                "INSERT INTO public.server_secrets (name, value) VALUES ('epoch', '{epoch}') \
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value;\nCOMMIT;"
            )?;
        }
        // Without COMMIT the transaction is rolled back when psql ends.
        Ok(read_whole)
    })();
    let psql_out = psql.wait_with_output()?;
    let sql_out = sql.wait_with_output()?;
    let restored = matches!(fed, Ok(true)) && psql_out.status.success();
    if !restored {
        anyhow::bail!(
            "копия не восстановлена, база осталась прежней: {} {}",
            String::from_utf8_lossy(&sql_out.stderr).trim(),
            String::from_utf8_lossy(&psql_out.stderr).trim()
        );
    }
    Ok(Restored {
        previous: Some(previous),
        epoch,
    })
}
