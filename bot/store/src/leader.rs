//! One holder of a named role among the processes sharing a database (e.g. the Discord
//! gateway: one session per bot). PostgreSQL: a session advisory lock, held on a
//! connection taken out of the pool for as long as the [`Leadership`] lives; when the
//! process dies the connection closes and the lock is free for another replica. SQLite
//! serves one process per file: leadership is granted at once.

use sqlx::Postgres;
use sqlx::pool::PoolConnection;

use super::{Db, Store, StoreError};

/// Held leadership; dropping it (or the process dying) gives it up.
pub struct Leadership {
    conn: Option<PoolConnection<Postgres>>,
}

impl Drop for Leadership {
    fn drop(&mut self) {
        // A session lock lives as long as its connection: close it rather than return
        // it, still locked, to the pool.
        if let Some(conn) = self.conn.take() {
            drop(conn.detach());
        }
    }
}

/// The advisory lock key of a role name: a stable 63-bit FNV-1a hash.
pub fn lock_key(name: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 1) as i64
}

impl Store {
    /// Takes the role `name` if no other process holds it; `None` when one does.
    pub async fn try_lead(&self, name: &str) -> Result<Option<Leadership>, StoreError> {
        match &self.db {
            Db::Sqlite(_) => Ok(Some(Leadership { conn: None })),
            Db::Pg(pool) => {
                let mut conn = pool.acquire().await?;
                let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(lock_key(name))
                    .fetch_one(&mut *conn)
                    .await?;
                if got {
                    Ok(Some(Leadership { conn: Some(conn) }))
                } else {
                    Ok(None)
                }
            }
        }
    }
}
