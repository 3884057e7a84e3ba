//! The `nastavnik` command line: `serve`, `user add`, `demo`, `import`, `classify`, `backup`,
//! `restore`.

use std::io::BufRead;
use std::net::SocketAddr;

use clap::{Parser, Subcommand};
use model::{NewUser, Role};
use server::{AppState, Db, auth, demo};

const DEFAULT_DB: &str = "sqlite://data/nastavnik.db";

#[derive(Parser)]
#[command(
    name = "nastavnik",
    version,
    about = "Наставник: сервер муниципального наставнического центра"
)]
struct Cli {
    /// Database address: sqlite://path/to/file.db or postgres://user:password@host/database
    #[arg(long, global = true, env = "DATABASE_URL", default_value = DEFAULT_DB)]
    db: String,
    /// How many records of one kind (consultations, recommendations, visits …) one person
    /// may create in a day.
    #[arg(long, global = true, env = "NASTAVNIK_RECORDS_PER_DAY", default_value_t = server::storage::RECORDS_PER_DAY)]
    records_per_day: u32,
    /// How many megabytes one person's changes may add to the server's log of changes in a
    /// day.
    #[arg(long, global = true, env = "NASTAVNIK_MEGABYTES_PER_DAY", default_value_t = server::storage::MEGABYTES_PER_DAY)]
    megabytes_per_day: u64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the app.
    Serve {
        #[arg(long, env = "NASTAVNIK_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Load the demo municipality if the database has no users yet.
        #[arg(long)]
        demo: bool,
        /// Only a reverse proxy on this machine reaches the server: count password attempts
        /// by the address the proxy puts last in X-Forwarded-For.
        #[arg(long, env = "NASTAVNIK_BEHIND_PROXY")]
        behind_proxy: bool,
        /// How many megabytes of attached files one person may upload, all together.
        #[arg(long, env = "NASTAVNIK_FILES_PER_PERSON_MB", default_value_t = server::FILES_PER_PERSON_MB)]
        files_per_person_mb: u64,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load the demo municipality into an empty database.
    Demo {
        /// Delete everything in the database and load the demo afresh (refused when the
        /// database has accounts that are not the demo's).
        #[arg(long)]
        reset: bool,
        /// Do not ask for confirmation of --reset.
        #[arg(long, requires = "reset")]
        yes: bool,
    },
    /// Import data from a file.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Write a consistent copy of the database into a new file (while the server runs).
    Backup { file: std::path::PathBuf },
    /// Put a copy made by `backup` in the place of the database (stop the server first). The
    /// replaced database is kept beside it; computers send again what the copy lacks.
    Restore {
        file: std::path::PathBuf,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Print the classification of the schools for a year (002 §II).
    Classify {
        #[arg(long)]
        year: i32,
        /// One JSON object per school instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// The regional indices: a CSV or XLSX file with the header
    /// school,year,ior,isbsh,gia,vpr,evening_share,advanced. A file with any bad row changes
    /// nothing; the same school and year imported again replace the earlier figures.
    Indices {
        file: std::path::PathBuf,
        /// The login of the centre head the figures are entered as (default: the only head).
        #[arg(long = "as")]
        as_login: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from NASTAVNIK_PASSWORD or from standard input.
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// school_team, teacher, mentor, curator, head or moderator
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The school id, for school_team and teacher.
        #[arg(long)]
        school: Option<uuid::Uuid>,
        #[arg(long, env = "NASTAVNIK_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

/// The centre head named by `login`, or the only enabled head.
async fn head(db: &Db, login: Option<&str>) -> anyhow::Result<model::UserProfile> {
    let heads: Vec<_> = db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| u.profile.role == Role::Head && !u.disabled)
        .map(|u| u.profile)
        .collect();
    match login {
        Some(l) => heads
            .into_iter()
            .find(|p| p.login == l)
            .ok_or_else(|| anyhow::anyhow!("«{l}» — не действующий руководитель центра")),
        None if heads.len() == 1 => Ok(heads.into_iter().next().expect("one head")),
        None if heads.is_empty() => {
            anyhow::bail!(
                "в базе нет руководителя центра: создайте его (nastavnik user add --role head)"
            )
        }
        None => anyhow::bail!("руководителей центра несколько: укажите логин (--as ЛОГИН)"),
    }
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        let all: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("неизвестная роль «{s}»; допустимые: {}", all.join(", "))
    })
}

fn main() {
    // Before any thread starts: the process may be replaced by itself.
    tame_the_allocator();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(run(cli)));
    if let Err(e) = result {
        eprintln!("Ошибка: {e:#}");
        std::process::exit(1);
    }
}

/// glibc's allocator keeps much of what it freed: a password hash's 7–19 MiB, once freed, raises
/// the size above which memory goes back to the system, and each of the database's worker
/// threads gets an arena of its own. Its settings are read only when a process starts, so the
/// process starts itself again once with them set (unless they are set already).
/// `cargo xtask bench`, 200 devices over the schools: peak memory 332 MB without, 74 MB with
/// two arenas, at the same speed (mimalloc instead: 126 MB). One arena would save a few MB more
/// (200 devices of one school: 43–46 MB instead of 49–51) but writes 4 devices' pushes at once
/// about 5 % slower (15.3–16.6 against 16.5–17.6 thousand mutations/s, 4 runs each).
fn tame_the_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // The marker, not glibc's variables, says it was done: a system may drop those at start.
    if std::env::var_os("NASTAVNIK_ALLOCATOR").is_none()
        && std::env::var_os("MALLOC_ARENA_MAX").is_none()
        && let Ok(me) = std::env::current_exe()
    {
        use std::os::unix::process::CommandExt;
        let mut again = std::process::Command::new(&me);
        again
            .arg0(
                std::env::args_os()
                    .next()
                    .unwrap_or_else(|| me.clone().into()),
            )
            .args(std::env::args_os().skip(1))
            .env("NASTAVNIK_ALLOCATOR", "set")
            .env("MALLOC_ARENA_MAX", "2");
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
            again.env("MALLOC_MMAP_THRESHOLD_", (4 << 20).to_string());
        }
        // Returns only when the new start failed: then this process goes on as it is.
        let failed = again.exec();
        eprintln!("(the allocator's settings were not applied: {failed})");
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // A backup reads the database as it is: it neither creates nor migrates it.
    if let Command::Backup { file } = &cli.command {
        Db::backup(&cli.db, file).await?;
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        println!(
            "Копия базы записана: {} ({} КБ)",
            file.display(),
            size.div_ceil(1024)
        );
        return Ok(());
    }
    if let Command::Restore { file, yes } = &cli.command {
        if !yes {
            eprint!(
                "База {} будет заменена копией {}; нынешняя база останется рядом. Сервер должен \
                 быть остановлен. Компьютеры при следующей синхронизации отправят то, чего нет \
                 в копии.\nВведите «да», чтобы продолжить: ",
                server::storage::shown_address(&cli.db),
                file.display()
            );
            let mut answer = String::new();
            std::io::stdin().lock().read_line(&mut answer)?;
            if answer.trim().to_lowercase() != "да" {
                anyhow::bail!("восстановление отменено, ничего не изменено");
            }
        }
        let restored = Db::restore(&cli.db, file).await?;
        println!("База восстановлена из {}.", file.display());
        if let Some(previous) = &restored.previous {
            println!("Прежняя база сохранена: {}", previous.display());
        }
        println!(
            "Запустите сервер: компьютеры, синхронизируясь, отправят свои изменения, которых нет \
             в копии, и получат данные заново (новая эпоха базы {}).",
            restored.epoch
        );
        return Ok(());
    }
    // Held by every command that opens the database (several at once): a restore waits until
    // none does, and none opens a database while it is being replaced.
    let _using = server::storage::ServingLock::take(&cli.db)?;
    // The allowances of the day hold for every command that writes through the batch step
    // (`serve`, `demo`, `import indices`).
    let db = Db::connect(&cli.db)
        .await?
        .with_records_per_day(cli.records_per_day)
        .with_bytes_per_day(cli.megabytes_per_day.saturating_mul(1 << 20));
    server::upgrade::take_steps(&db).await?;
    match cli.command {
        Command::Serve {
            addr,
            demo,
            behind_proxy,
            files_per_person_mb,
        } => {
            if demo && let Some(logins) = demo::load(&db).await? {
                println!("{}", demo::describe(&logins));
            }
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| anyhow::anyhow!("не удалось занять адрес {addr}: {e}"))?;
            println!("Наставник работает: http://{}", listener.local_addr()?);
            let senders = if behind_proxy {
                server::auth::Senders::BehindProxy
            } else {
                server::auth::Senders::Connection
            };
            let state = AppState {
                files_per_person: files_per_person_mb.saturating_mul(1 << 20),
                ..AppState::new(db.clone())
            };
            server::serve(listener, state, senders).await?;
        }
        Command::Demo { reset: false, .. } => match demo::load(&db).await? {
            Some(logins) => println!("{}", demo::describe(&logins)),
            None => println!(
                "В базе уже есть пользователи: демонстрационные данные не загружены \
                 (nastavnik demo --reset загрузит их заново)."
            ),
        },
        Command::Demo { reset: true, yes } => {
            demo::check_resettable(&db).await?;
            if !yes {
                eprint!(
                    "Все данные базы {} будут удалены, демонстрация загрузится заново. \
                     Остановите сервер перед сбросом; на устройствах, работавших с \
                     демонстрацией, войдите заново.\n\
                     Введите «да», чтобы продолжить: ",
                    server::storage::shown_address(&cli.db)
                );
                let mut answer = String::new();
                std::io::stdin().lock().read_line(&mut answer)?;
                if answer.trim().to_lowercase() != "да" {
                    anyhow::bail!("сброс отменён, ничего не изменено");
                }
            }
            println!("{}", demo::describe(&demo::reset(&db).await?));
        }
        Command::Import {
            command: ImportCommand::Indices { file, as_login },
        } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("не удалось прочитать {}: {e}", file.display()))?;
            let head = head(&db, as_login.as_deref()).await?;
            let name = file
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            let parsed = server::indices::import(&db, &head, &name, &bytes, true)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if parsed.imported == 0 {
                for p in &parsed.problems {
                    eprintln!("{}", p.describe());
                }
                anyhow::bail!(
                    "файл не загружен, ничего не изменено: ошибок — {}",
                    parsed.problems.len()
                );
            }
            println!("Загружено строк: {}", parsed.imported);
        }
        // Done above, before the database is opened.
        Command::Backup { .. } | Command::Restore { .. } => {}
        Command::Classify { year, json } => {
            let list = server::indices::classify(&db, year).await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&server::indices::classification_json(&list))?
                );
            } else if list.is_empty() {
                println!("За {year} год индексов нет.");
            } else {
                for (name, c) in &list {
                    let risk: Vec<_> = c.risk.iter().map(|r| r.label()).collect();
                    println!(
                        "{name}: {}; ИОР — квартиль {}, ИСБШ — квартиль {}{}{}{}",
                        c.school_type
                            .map_or("тип не определён (нет данных)", |t| t.label()),
                        c.ior_quartile.map_or("—".into(), |q| q.to_string()),
                        c.isbsh_quartile.map_or("—".into(), |q| q.to_string()),
                        if c.stably_high {
                            "; стабильно высокие результаты"
                        } else {
                            ""
                        },
                        if c.stably_low {
                            "; стабильно низкие результаты"
                        } else {
                            ""
                        },
                        if risk.is_empty() {
                            String::new()
                        } else {
                            format!("; зона риска: {}", risk.join(", "))
                        },
                    );
                }
            }
        }
        Command::User {
            command:
                UserCommand::Add {
                    login,
                    name,
                    role,
                    school,
                    password,
                },
        } => {
            let password = match password {
                Some(p) => p,
                None => {
                    eprintln!("Введите пароль новой учётной записи и нажмите Enter:");
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let user = NewUser {
                login,
                full_name: name,
                role,
                school_id: school,
                password,
            }
            .validated()
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            if let Some(school) = user.school_id
                && !db.school_exists(school).await?
            {
                anyhow::bail!("школа {school} не найдена");
            }
            let hash = auth::hash_password(&user.password)?;
            let profile = db
                .insert_user(&user, &hash)
                .await?
                .ok_or_else(|| anyhow::anyhow!("логин «{}» уже занят", user.login))?;
            db.audit(
                None,
                "user.create",
                &serde_json::json!({ "id": profile.id, "login": profile.login, "via": "cli" }),
            )
            .await?;
            println!(
                "Создан пользователь {} ({}), id {}",
                profile.login,
                profile.role.label(),
                profile.id
            );
        }
    }
    db.close().await;
    Ok(())
}
