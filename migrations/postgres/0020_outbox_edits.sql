-- Edits in place (issue 10's live tally): an outbox row that replaces the message of an
-- earlier post names that post's key; the dispatcher edits its stored message id instead
-- of posting. NULL for ordinary posts. Keep in step with migrations/sqlite/0020_outbox_edits.sql.
ALTER TABLE outbox ADD COLUMN edits TEXT;
-- Reactions name the message they are on: find its post by the stored message id.
CREATE INDEX outbox_message_id ON outbox (message_id);
