-- The dashboard's link-signing key, generated once when no QUARTERDECK_DASHBOARD_KEY is
-- set (issue 11). One row; rotating the key replaces it and revokes every link signed
-- with the old one. Keep in step with migrations/sqlite/0011_dashboard_key.sql.
CREATE TABLE dashboard_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    key_hex     TEXT NOT NULL,
    created_ms  BIGINT NOT NULL
);
