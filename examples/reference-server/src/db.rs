//! Storage: one `sqlx::AnyPool` over SQLite (default) or PostgreSQL (by URL), the embedded
//! migrations of each, and small typed helpers. Queries use `$1` placeholders, which both
//! drivers accept.
//!
//! Writes go through [`Db::begin_write`]. On SQLite, which has one writer at a time, it
//! queues writers in this process (a fair async lock) instead of letting them collide
//! and back off in SQLite's busy handler; on PostgreSQL it is a plain transaction.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

/// The database.
#[derive(Clone, Debug)]
pub struct Db {
    /// The pool.
    pub pool: AnyPool,
    /// PostgreSQL (else SQLite).
    pub postgres: bool,
    /// SQLite's one-writer queue (none on PostgreSQL).
    writer: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
}

/// A write transaction (with SQLite's writer turn held until it ends). Dereferences to
/// the connection, so statements run on `&mut *tx`.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Commit.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_voice.sql")),
    (3, include_str!("../migrations/sqlite/0003_versions.sql")),
    (4, include_str!("../migrations/sqlite/0004_liveness_sessions.sql")),
    (5, include_str!("../migrations/sqlite/0005_face_index.sql")),
    (6, include_str!("../migrations/sqlite/0006_locks_and_expiry.sql")),
    (7, include_str!("../migrations/sqlite/0007_contact_requests.sql")),
    (8, include_str!("../migrations/sqlite/0008_reset_requester.sql")),
    (9, include_str!("../migrations/sqlite/0009_home_visits.sql")),
    (10, include_str!("../migrations/sqlite/0010_review_queue.sql")),
];
const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (2, include_str!("../migrations/postgres/0002_voice.sql")),
    (3, include_str!("../migrations/postgres/0003_versions.sql")),
    (4, include_str!("../migrations/postgres/0004_liveness_sessions.sql")),
    (5, include_str!("../migrations/postgres/0005_face_index.sql")),
    (6, include_str!("../migrations/postgres/0006_locks_and_expiry.sql")),
    (7, include_str!("../migrations/postgres/0007_contact_requests.sql")),
    (8, include_str!("../migrations/postgres/0008_reset_requester.sql")),
    (9, include_str!("../migrations/postgres/0009_home_visits.sql")),
    (10, include_str!("../migrations/postgres/0010_review_queue.sql")),
];

impl Db {
    /// Connect and apply pending migrations.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let postgres = url.starts_with("postgres");
        let pool = AnyPoolOptions::new()
            .max_connections(if postgres { 8 } else { 4 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if !postgres {
                        // Every pooled connection (not only the first): WAL, so readers do
                        // not block the writer; FULL, so a committed write survives a power
                        // cut; a busy timeout for writers of other processes.
                        for pragma in [
                            "PRAGMA journal_mode=WAL",
                            "PRAGMA synchronous=FULL",
                            "PRAGMA busy_timeout=10000",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        let writer = (!postgres).then(|| std::sync::Arc::new(tokio::sync::Mutex::new(())));
        let db = Db { pool, postgres, writer };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
            .execute(&self.pool)
            .await?;
        for (version, sql) in if self.postgres { POSTGRES } else { SQLITE } {
            let done: Option<AnyRow> = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&self.pool)
                .await?;
            if done.is_none() {
                let mut tx = self.pool.begin().await?;
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO schema_migrations (version) VALUES ($1)")
                    .bind(*version)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Begin a write transaction (on SQLite, after this process's earlier writers).
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let turn = match &self.writer {
            Some(w) => Some(std::sync::Arc::clone(w).lock_owned().await),
            None => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// One text column of the first row of `sql` with one text argument.
    pub async fn text(&self, sql: &str, arg: &str) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query(sql).bind(arg.to_owned()).fetch_optional(&self.pool).await?;
        row.map(|r| r.try_get::<String, _>(0)).transpose()
    }

    /// Deserialize a JSON text column of the first row of `sql` with one text argument.
    pub async fn json<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        arg: &str,
    ) -> Result<Option<T>, crate::ApiError> {
        match self.text(sql, arg).await? {
            Some(t) => Ok(Some(serde_json::from_str(&t)?)),
            None => Ok(None),
        }
    }
}
