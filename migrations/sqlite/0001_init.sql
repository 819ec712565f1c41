-- Quarterdeck schema (SQLite). Keep in step with migrations/postgres/0001_init.sql:
-- same tables, same columns; only types and identity columns differ.
-- Times are UTC milliseconds since the epoch (`*_ms`); JSON is stored as text.

CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    team        TEXT NOT NULL,
    quarter     TEXT NOT NULL,
    status      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    state       TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
);

CREATE TABLE stage_outputs (
    run_id      TEXT NOT NULL REFERENCES runs (id),
    stage       INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    available   INTEGER NOT NULL,
    findings    TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (run_id, stage, version)
);

CREATE TABLE plan_versions (
    run_id      TEXT NOT NULL REFERENCES runs (id),
    version     INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    markdown    TEXT NOT NULL,
    html        TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (run_id, version)
);

CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,
    run_id      TEXT NOT NULL REFERENCES runs (id),
    channel     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    sent_ms     INTEGER,
    message_id  TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_ms, seq);

CREATE TABLE audit (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id        TEXT NOT NULL,
    at_ms         INTEGER NOT NULL,
    actor_id      TEXT NOT NULL,
    actor_name    TEXT NOT NULL,
    roles         TEXT NOT NULL,
    action        TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    detail        TEXT NOT NULL,
    plan_version  INTEGER,
    plan_hash     TEXT,
    message_link  TEXT
);
CREATE INDEX audit_run ON audit (run_id, seq);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    run_id          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    policy          TEXT NOT NULL,
    due_ms          INTEGER NOT NULL,
    status          TEXT NOT NULL,
    lease_owner     TEXT,
    lease_until_ms  INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    done_ms         INTEGER,
    created_ms      INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, due_ms, id);
