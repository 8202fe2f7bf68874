-- masthead schema, version 2 (SQLite): polling state of sources. Never edit once released.
-- Times are integer Unix microseconds on the polling node's clock (UTC).

-- Set after too many failures in a row; the scheduler skips a paused source.
ALTER TABLE sources ADD COLUMN paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1));
-- NULL: due at once.
ALTER TABLE sources ADD COLUMN next_poll_at INTEGER;
-- Validators of the last 200 response, for a conditional GET.
ALTER TABLE sources ADD COLUMN etag TEXT;
ALTER TABLE sources ADD COLUMN last_modified TEXT;
-- The node polling the source now, and until when its claim holds (a dead node's expires).
ALTER TABLE sources ADD COLUMN lease_owner TEXT;
ALTER TABLE sources ADD COLUMN lease_until INTEGER;
-- Soft removal: the row stays so that its stories keep their credit.
ALTER TABLE sources ADD COLUMN removed_at INTEGER;

-- due_sources: only pollable sources, in the order it returns them.
CREATE INDEX sources_due ON sources (COALESCE(next_poll_at, 0), id)
    WHERE removed_at IS NULL AND paused = 0;
