-- masthead schema, version 4 (PostgreSQL): full-text search over stories. Never edit once
-- released.
--
-- A generated tsvector column: PostgreSQL computes it in the statement that writes the story,
-- so the index cannot drift from the text. Weights rank a headline match (A) above the
-- standfirst (B), the body (C) and the dateline (D). The 'english' configuration folds case
-- and stems ("talks" finds "talk"); it keeps accents, so "café" finds "Café" but "cafe" does not.
ALTER TABLE stories ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', headline), 'A')
    || setweight(to_tsvector('english', coalesce(standfirst, '')), 'B')
    || setweight(to_tsvector('english', text), 'C')
    || setweight(to_tsvector('english', coalesce(dateline, '')), 'D')
) STORED;

CREATE INDEX stories_search ON stories USING GIN (search);
