-- Chart images and other files attached to posts, content-addressed: a post's message
-- names the SHA-256 of each file, so re-running a stage that draws the same chart
-- stores nothing new. Keep in step with migrations/postgres/0002_attachments.sql.
CREATE TABLE attachments (
    sha256        TEXT PRIMARY KEY,
    content_type  TEXT NOT NULL,
    bytes         BLOB NOT NULL,
    created_ms    INTEGER NOT NULL
);
