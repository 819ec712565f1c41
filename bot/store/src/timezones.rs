//! Each person's time zone (`/timezone`), by chat user id: one row per person, replaced
//! when they choose another. The zone is an IANA name, checked by the caller.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, on_db, to_ms};

impl Store {
    /// The zone `user_id` chose, if any.
    pub async fn user_timezone(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let zone: Option<(String,)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT zone FROM user_timezones WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(zone.map(|(z,)| z))
    }

    /// Every recorded zone as (user id, zone), by user id.
    pub async fn user_timezones(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows: Vec<(String, String)> = on_db!(&self.db, pool => {
            sqlx::query_as("SELECT user_id, zone FROM user_timezones ORDER BY user_id")
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }

    /// Records `zone` as `user_id`'s, replacing the one before.
    pub async fn set_user_timezone(
        &self,
        user_id: &str,
        zone: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_db!(&self.db, pool => {
            sqlx::query(
                "INSERT INTO user_timezones (user_id, zone, updated_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id) DO UPDATE SET zone = excluded.zone, updated_ms = excluded.updated_ms",
            )
            .bind(user_id)
            .bind(zone)
            .bind(to_ms(at))
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
