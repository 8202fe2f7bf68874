-- masthead schema, version 2 (PostgreSQL): polling state of sources. Never edit once released.
-- Times are integer Unix microseconds on the polling node's clock (UTC).

ALTER TABLE sources
    -- Set after too many failures in a row; the scheduler skips a paused source.
    ADD COLUMN paused        BOOLEAN NOT NULL DEFAULT FALSE,
    -- NULL: due at once.
    ADD COLUMN next_poll_at  BIGINT,
    -- Validators of the last 200 response, for a conditional GET.
    ADD COLUMN etag          TEXT,
    ADD COLUMN last_modified TEXT,
    -- The node polling the source now, and until when its claim holds (a dead node's expires).
    ADD COLUMN lease_owner   TEXT,
    ADD COLUMN lease_until   BIGINT,
    -- Soft removal: the row stays so that its stories keep their credit.
    ADD COLUMN removed_at    BIGINT;

-- due_sources: only pollable sources, in the order it returns them.
CREATE INDEX sources_due ON sources ((COALESCE(next_poll_at, 0)), id)
    WHERE removed_at IS NULL AND NOT paused;
