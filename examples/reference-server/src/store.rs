//! Versioned state: the core's serde values stored as JSON text beside a `version` integer.
//! Every change is a compare-and-swap on that integer (one generic [`save`]), so parallel
//! requests cannot undo each other, and adding a field to a core type changes nothing here
//! (the JSON text is never compared).

use crate::error::ApiError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;

/// A table of versioned state: its name, key columns and JSON column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Table {
    name: &'static str,
    keys: &'static [&'static str],
    column: &'static str,
}

/// Accounts by holder (the `phone` column is kept beside it for lookups).
pub(crate) const ACCOUNTS: Table = Table {
    name: "accounts",
    keys: &["holder_id"],
    column: "account_json",
};
/// Enrollment cases by holder and modality.
pub(crate) const ENROLLMENTS: Table = Table {
    name: "enrollments",
    keys: &["holder_id", "modality"],
    column: "case_json",
};
/// SMS challenges by phone and purpose.
pub(crate) const SMS: Table = Table {
    name: "sms_challenges",
    keys: &["phone", "purpose"],
    column: "challenge_json",
};
/// Home visits by visit id (the person and the status beside the JSON, for the worklist).
pub(crate) const VISITS: Table = Table {
    name: "home_visits",
    keys: &["visit_id"],
    column: "visit_json",
};
/// Payment status by identity number (the roster entry is beside it).
pub(crate) const PAYMENT: Table = Table {
    name: "roster",
    keys: &["id_number"],
    column: "payment_json",
};
/// A holder's proxy contacts.
pub(crate) const CONTACTS: Table = Table {
    name: "contacts",
    keys: &["holder_id"],
    column: "contacts_json",
};

/// A value as loaded, with the version it had (`None`: not stored yet).
#[derive(Debug, Clone)]
pub(crate) struct Versioned<T> {
    /// The value (change it, then [`save`] it).
    pub(crate) value: T,
    /// The stored version this value was read at.
    pub(crate) version: Option<i64>,
}

impl<T> Versioned<T> {
    /// A value that is not stored yet.
    pub(crate) fn new(value: T) -> Self {
        Self { value, version: None }
    }
}

fn where_keys(table: Table, first: usize) -> String {
    table
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ${}", first + i))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Load `table`'s value at `keys`.
pub(crate) async fn load<'e, T, E>(exec: E, table: Table, keys: &[&str]) -> Result<Option<Versioned<T>>, ApiError>
where
    T: DeserializeOwned,
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = format!(
        "SELECT {}, version FROM {} WHERE {}",
        table.column,
        table.name,
        where_keys(table, 1)
    );
    let mut q = sqlx::query(&sql);
    for k in keys {
        q = q.bind((*k).to_owned());
    }
    match q.fetch_optional(exec).await? {
        Some(row) => Ok(Some(Versioned {
            value: serde_json::from_str(&row.try_get::<String, _>(0)?)?,
            version: Some(row.try_get(1)?),
        })),
        None => Ok(None),
    }
}

/// Store `v` at `keys` if nobody changed it since it was loaded: an update at the loaded
/// version, or an insert when it was new. A lost race is `908` (try again), never a silent
/// overwrite. `extra` columns (e.g. the account's phone) are written alongside; an insert
/// of a table with other required columns goes through its own statement instead.
pub(crate) async fn save<T: Serialize>(
    conn: &mut sqlx::AnyConnection,
    table: Table,
    keys: &[&str],
    v: &Versioned<T>,
    extra: &[(&'static str, Option<String>)],
) -> Result<i64, ApiError> {
    let json = serde_json::to_string(&v.value)?;
    match v.version {
        Some(version) => {
            let sets: String = extra
                .iter()
                .enumerate()
                .map(|(i, (c, _))| format!(", {c} = ${}", i + 2))
                .collect();
            let first_key = 2 + extra.len();
            let sql = format!(
                "UPDATE {} SET {} = $1{sets}, version = version + 1 WHERE {} AND version = ${}",
                table.name,
                table.column,
                where_keys(table, first_key),
                first_key + keys.len()
            );
            let mut q = sqlx::query(&sql).bind(json);
            for (_, value) in extra {
                q = q.bind(value.clone());
            }
            for k in keys {
                q = q.bind((*k).to_owned());
            }
            let done = q.bind(version).execute(conn).await?;
            if done.rows_affected() == 1 {
                Ok(version + 1)
            } else {
                Err(ApiError::conflict())
            }
        }
        None => {
            let mut columns: Vec<&str> = table.keys.to_vec();
            columns.push(table.column);
            columns.extend(extra.iter().map(|(c, _)| *c));
            let params: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}, version) VALUES ({}, 0)",
                table.name,
                columns.join(", "),
                params.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for k in keys {
                q = q.bind((*k).to_owned());
            }
            q = q.bind(json);
            for (_, value) in extra {
                q = q.bind(value.clone());
            }
            q.execute(conn).await?;
            Ok(0)
        }
    }
}
