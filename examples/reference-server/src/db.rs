//! Storage: one `sqlx::AnyPool` over SQLite (default) or PostgreSQL (by URL), the embedded
//! migrations of each, and small typed helpers. Queries use `$1` placeholders, which both
//! drivers accept.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

/// The database.
#[derive(Clone, Debug)]
pub struct Db {
    /// The pool.
    pub pool: AnyPool,
    /// PostgreSQL (else SQLite).
    pub postgres: bool,
}

const SQLITE: &[(i64, &str)] = &[
    (1, include_str!("../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../migrations/sqlite/0002_voice.sql")),
    (3, include_str!("../migrations/sqlite/0003_versions.sql")),
    (4, include_str!("../migrations/sqlite/0004_liveness_sessions.sql")),
];
const POSTGRES: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/0001_init.sql")),
    (2, include_str!("../migrations/postgres/0002_voice.sql")),
    (3, include_str!("../migrations/postgres/0003_versions.sql")),
    (4, include_str!("../migrations/postgres/0004_liveness_sessions.sql")),
];

impl Db {
    /// Connect and apply pending migrations.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let postgres = url.starts_with("postgres");
        let pool = AnyPoolOptions::new()
            .max_connections(if postgres { 8 } else { 4 })
            .connect(url)
            .await?;
        if !postgres {
            // WAL: readers do not block the writer; a committed write survives a crash.
            sqlx::raw_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;")
                .execute(&pool)
                .await?;
        }
        let db = Db { pool, postgres };
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
