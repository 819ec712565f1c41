-- Quarterdeck schema (PostgreSQL). Keep in step with migrations/sqlite/0001_init.sql:
-- same tables, same columns; only types and identity columns differ.
-- Times are UTC milliseconds since the epoch (`*_ms`); JSON is stored as text.

CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    team        TEXT NOT NULL,
    quarter     TEXT NOT NULL,
    status      TEXT NOT NULL,
    version     BIGINT NOT NULL,
    state       TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    updated_ms  BIGINT NOT NULL
);

CREATE TABLE stage_outputs (
    run_id      TEXT NOT NULL REFERENCES runs (id),
    stage       BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    available   BIGINT NOT NULL,
    findings    TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (run_id, stage, version)
);

CREATE TABLE plan_versions (
    run_id      TEXT NOT NULL REFERENCES runs (id),
    version     BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    markdown    TEXT NOT NULL,
    html        TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (run_id, version)
);

CREATE TABLE outbox (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    run_id      TEXT NOT NULL REFERENCES runs (id),
    channel     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    sent_ms     BIGINT,
    message_id  TEXT,
    attempts    BIGINT NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_ms, seq);

CREATE TABLE audit (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id        TEXT NOT NULL,
    at_ms         BIGINT NOT NULL,
    actor_id      TEXT NOT NULL,
    actor_name    TEXT NOT NULL,
    roles         TEXT NOT NULL,
    action        TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    detail        TEXT NOT NULL,
    plan_version  BIGINT,
    plan_hash     TEXT,
    message_link  TEXT
);
CREATE INDEX audit_run ON audit (run_id, seq);


CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    run_id          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    policy          TEXT NOT NULL,
    due_ms          BIGINT NOT NULL,
    status          TEXT NOT NULL,
    lease_owner     TEXT,
    lease_until_ms  BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    done_ms         BIGINT,
    created_ms      BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, due_ms, id);
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit is append-only';
END;
$$;
CREATE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
