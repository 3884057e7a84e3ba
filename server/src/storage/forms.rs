//! Form templates and the server's own writes (templates, test results) in the database.

use std::sync::Arc;

use model::forms::{self, Key, Template, TemplateError};
use model::record::Record;
use model::sync::Change;
use sqlx::SqliteConnection;

use super::{Db, now_ms};
use crate::error::AppResult;
use crate::forms::{BUILTIN, Entry, template_change};

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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        if let Some(stored) = load_entry(&mut tx, &template.code, template.version).await? {
            if *stored.template != template || stored.key != key {
                return Err(InstallError::VersionTaken(template.code, template.version));
            }
            let entry = Arc::new(stored);
            self.forms.remember(entry.clone());
            return Ok((entry, Installed::Same));
        }
        let change = template_change(&template, self.forms.tick());
        write_server_changes(&mut tx, &[change]).await?;
        sqlx::query("INSERT INTO template_keys (code, version, key) VALUES (?, ?, ?)")
            .bind(&template.code)
            .bind(i64::from(template.version))
            .bind(serde_json::to_string(&key).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let entry = Arc::new(Entry {
            template: Arc::new(template),
            key,
        });
        self.forms.remember(entry.clone());
        Ok((entry, Installed::New))
    }

    /// When a timed test was started online (server ms), if it was.
    pub async fn test_started(
        &self,
        conn: &mut SqliteConnection,
        response: uuid::Uuid,
    ) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT started_at FROM test_starts WHERE response_id = ?")
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
            "INSERT INTO test_starts (response_id, user_id, started_at) VALUES (?, ?, ?) \
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

    /// A campaign record, read as a campaign.
    pub async fn campaign(
        &self,
        conn: &mut SqliteConnection,
        id: uuid::Uuid,
    ) -> Result<Option<forms::Campaign>, sqlx::Error> {
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM records WHERE id = ? AND kind = ?")
                .bind(id.to_string())
                .bind(forms::CAMPAIGN_KIND)
                .fetch_optional(&mut *conn)
                .await?;
        let Some(state) = state else { return Ok(None) };
        let record: Record =
            serde_json::from_str(&state).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(forms::Campaign::from_record(&record))
    }

    /// The records of `kind` the actor may read (responses, results), for exports.
    pub async fn readable_records(
        &self,
        actor: &model::access::Actor,
        kind: &str,
    ) -> Result<Vec<Record>, sqlx::Error> {
        let mut q =
            sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT state FROM records WHERE kind = ");
        q.push_bind(kind.to_owned());
        super::sync::push_scope_filter(&mut q, actor);
        let rows: Vec<String> = q.build_query_scalar().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|s| serde_json::from_str(s).map_err(|e| sqlx::Error::Decode(Box::new(e))))
            .collect()
    }

    /// A stored template with its key.
    pub async fn template(
        &self,
        conn: &mut SqliteConnection,
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
    conn: &mut SqliteConnection,
    code: &str,
    version: u32,
) -> Result<Option<Entry>, sqlx::Error> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT kind, state FROM records WHERE id = ?")
            .bind(forms::template_id(code, version).to_string())
            .fetch_optional(&mut *conn)
            .await?;
    let Some((kind, state)) = row else {
        return Ok(None);
    };
    if kind != forms::TEMPLATE_KIND {
        return Err(sqlx::Error::Protocol(format!(
            "the id of template {code} v{version} is taken by a record of kind {kind}"
        )));
    }
    let bad = |e: serde_json::Error| sqlx::Error::Decode(Box::new(e));
    let record: Record = serde_json::from_str(&state).map_err(bad)?;
    let body = record.get("body").cloned().unwrap_or_default();
    let template: Template = serde_json::from_value(body).map_err(bad)?;
    let key: Option<String> =
        sqlx::query_scalar("SELECT key FROM template_keys WHERE code = ? AND version = ?")
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
        key,
    }))
}

/// Merges changes made by the server itself into their records and logs them, so that devices
/// receive them like any other change.
pub async fn write_server_changes(
    conn: &mut SqliteConnection,
    changes: &[Change],
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    for c in changes {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM records WHERE id = ?")
            .bind(c.record.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        let mut record: Record = match state {
            Some(s) => serde_json::from_str(&s).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            None => c.new_record(),
        };
        if record.kind != c.kind || record.scope != c.scope {
            // Never merge the server's writes into a record of another kind or place.
            tracing::error!(id = %c.record, kind = %record.kind, "server write skipped: id taken");
            continue;
        }
        c.apply_to(&mut record);
        sqlx::query(
            "INSERT INTO records (id, kind, scope, parent, state, updated_at) VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(record.id.to_string())
        .bind(&record.kind)
        .bind(record.scope.to_string())
        .bind(record.parent.map(|p| p.to_string()))
        .bind(serde_json::to_string(&record).unwrap_or_default())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO changes (record_id, scope, body, device_id, device_seq, user_id, at) \
             VALUES (?, ?, ?, ?, 0, 'server', ?)",
        )
        .bind(c.record.to_string())
        .bind(c.scope.to_string())
        .bind(serde_json::to_string(c).unwrap_or_default())
        .bind(c.hlc.device.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
