//! Form templates and the server's own writes (templates, test results) in the database.

use std::sync::Arc;

use model::forms::{self, Key, Template, TemplateError};
use model::record::Record;
use sqlx::AnyConnection;

use super::{Db, now_ms};
use crate::error::AppResult;
use crate::forms::{BUILTIN, Entry, template_write};

/// How an upload went.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    New,
    /// The same template was already there.
    Same,
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("Шаблон не принят: {0}.")]
    Malformed(#[from] TemplateError),
    #[error(
        "Шаблон «{0}» версии {1} уже есть и отличается от загруженного: увеличьте номер версии (version)."
    )]
    VersionTaken(String, u32),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("the template could not be stored: {0}")]
    Write(anyhow::Error),
}

impl Db {
    /// Stores the built-in templates that are not stored yet.
    pub async fn install_builtin_templates(&self) -> anyhow::Result<()> {
        for (name, json) in BUILTIN {
            match self.install_template(json).await {
                Ok(_) => {}
                Err(InstallError::VersionTaken(code, version)) => tracing::warn!(
                    %code, version,
                    "built-in template {name} differs from the stored one of the same version; \
                     the stored one is kept (raise the version to publish a change)"
                ),
                Err(InstallError::Db(e)) => {
                    tracing::error!("built-in template {name} not installed: {e}")
                }
                Err(e) => anyhow::bail!("built-in template {name}: {e}"),
            }
        }
        Ok(())
    }

    /// Checks and stores a template (from a file or an upload); its key goes to its own table.
    pub async fn install_template(
        &self,
        json: &str,
    ) -> Result<(Arc<Entry>, Installed), InstallError> {
        let (template, key) = Template::parse(json)?;
        let mut tx = self.dialect.begin_write(&self.pool, &self.turns).await?;
        if let Some(stored) = load_entry(&mut tx, &template.code, template.version).await? {
            // Ended here, not when `tx` is dropped: a dropped transaction is rolled back only
            // when its connection is next used or checked, and until then it keeps the write
            // lock from every other instance (and from this one's other connections).
            tx.rollback().await?;
            if *stored.template != template || *stored.key != key {
                return Err(InstallError::VersionTaken(template.code, template.version));
            }
            let entry = Arc::new(stored);
            self.forms.remember(entry.clone());
            return Ok((entry, Installed::Same));
        }
        write_server_changes(
            self.dialect,
            &mut tx,
            self.forms.clock_mutex(),
            vec![template_write(&template)],
        )
        .await
        .map_err(InstallError::Write)?;
        sqlx::query("INSERT INTO template_keys (code, version, key) VALUES ($1, $2, $3)")
            .bind(&template.code)
            .bind(i64::from(template.version))
            .bind(serde_json::to_string(&key).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let entry = Arc::new(Entry {
            template: Arc::new(template),
            key: Arc::new(key),
        });
        self.forms.remember(entry.clone());
        Ok((entry, Installed::New))
    }

    /// When a timed test was started online (server ms), if it was.
    pub async fn test_started(
        &self,
        conn: &mut AnyConnection,
        response: uuid::Uuid,
    ) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT started_at FROM test_starts WHERE response_id = $1")
            .bind(response.to_string())
            .fetch_optional(&mut *conn)
            .await
    }

    /// Notes the start of a timed test (the first start counts); returns when it started.
    pub async fn start_test(
        &self,
        response: uuid::Uuid,
        user: uuid::Uuid,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query(
            "INSERT INTO test_starts (response_id, user_id, started_at) VALUES ($1, $2, $3) \
             ON CONFLICT (response_id) DO NOTHING",
        )
        .bind(response.to_string())
        .bind(user.to_string())
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        let mut conn = self.pool.acquire().await?;
        Ok(self
            .test_started(&mut conn, response)
            .await?
            .unwrap_or_else(now_ms))
    }

    /// A stored template with its key, outside any transaction.
    pub async fn template_entry(&self, code: &str, version: u32) -> AppResult<Option<Arc<Entry>>> {
        let mut conn = self.pool.acquire().await?;
        self.template(&mut conn, code, version).await
    }

    /// A stored template with its key.
    pub async fn template(
        &self,
        conn: &mut AnyConnection,
        code: &str,
        version: u32,
    ) -> AppResult<Option<Arc<Entry>>> {
        if let Some(e) = self.forms.cached(code, version) {
            return Ok(Some(e));
        }
        let Some(entry) = load_entry(conn, code, version).await? else {
            return Ok(None);
        };
        let entry = Arc::new(entry);
        self.forms.remember(entry.clone());
        Ok(Some(entry))
    }
}

async fn load_entry(
    conn: &mut AnyConnection,
    code: &str,
    version: u32,
) -> Result<Option<Entry>, sqlx::Error> {
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM records WHERE id = $1")
        .bind(forms::template_id(code, version).to_string())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(state) = state else {
        return Ok(None);
    };
    let bad = |e: serde_json::Error| sqlx::Error::Decode(Box::new(e));
    let record: Record = serde_json::from_str(&state).map_err(bad)?;
    let template = model::kinds::form_template::template_of(&record)
        .map_err(|e| sqlx::Error::Protocol(format!("template {code} v{version}: {e}")))?;
    let key: Option<String> =
        sqlx::query_scalar("SELECT key FROM template_keys WHERE code = $1 AND version = $2")
            .bind(code)
            .bind(i64::from(version))
            .fetch_optional(&mut *conn)
            .await?;
    let key: Key = match key {
        Some(k) => serde_json::from_str(&k).map_err(bad)?,
        None => Key::default(),
    };
    Ok(Some(Entry {
        template: Arc::new(template),
        key: Arc::new(key),
    }))
}

/// Writes changes the server makes on its own (a template installed at start) into their
/// records and the log, so devices receive them like any other change. A write that cannot land
/// (its id holds a record of another kind or place) is an error: nothing is skipped silently.
pub async fn write_server_changes(
    dialect: super::Dialect,
    conn: &mut AnyConnection,
    clock: &std::sync::Mutex<model::hlc::Clock>,
    writes: Vec<model::kinds::ServerWrite>,
) -> anyhow::Result<()> {
    let mut records = std::collections::HashMap::new();
    super::sync::load_records(
        dialect,
        &mut *conn,
        writes
            .iter()
            .flat_map(|w| std::iter::once(w.record).chain(w.parent)),
        &mut records,
    )
    .await?;
    let plan = {
        let mut clock = clock.lock().unwrap_or_else(|e| e.into_inner());
        model::sync::server::server_writes(now_ms() as u64, &mut clock, &mut records, writes)?
    };
    super::sync::write_plan(dialect, conn, &plan, &records, None).await?;
    Ok(())
}
