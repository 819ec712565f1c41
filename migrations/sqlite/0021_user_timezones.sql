-- Each person's time zone, chosen with /timezone (an IANA name such as Europe/Berlin).
-- Keep in step with migrations/postgres/0021_user_timezones.sql.
CREATE TABLE user_timezones (
    user_id     TEXT PRIMARY KEY,
    zone        TEXT NOT NULL,
    updated_ms  INTEGER NOT NULL
);
