-- masthead schema, version 4 (SQLite): full-text search over stories. Never edit once released.
--
-- An external-content FTS5 index over the searchable columns of `stories`, kept by triggers, so
-- it is written in the same transaction as the story and cannot drift from it. The porter
-- stemmer ("talks" finds "talk") and remove_diacritics ("cafe" finds "Café") sit on unicode61,
-- which folds case and splits words at punctuation, typographic apostrophes included.
CREATE VIRTUAL TABLE stories_fts USING fts5(
    headline,
    standfirst,
    text,
    dateline,
    content = 'stories',
    content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
    INSERT INTO stories_fts (rowid, headline, standfirst, text, dateline)
    VALUES (new.id, new.headline, new.standfirst, new.text, new.dateline);
END;

CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, headline, standfirst, text, dateline)
    VALUES ('delete', old.id, old.headline, old.standfirst, old.text, old.dateline);
END;

-- Only when an indexed column changes: a changed image or hash leaves the index alone.
CREATE TRIGGER stories_fts_update AFTER UPDATE OF headline, standfirst, text, dateline ON stories
BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, headline, standfirst, text, dateline)
    VALUES ('delete', old.id, old.headline, old.standfirst, old.text, old.dateline);
    INSERT INTO stories_fts (rowid, headline, standfirst, text, dateline)
    VALUES (new.id, new.headline, new.standfirst, new.text, new.dateline);
END;

-- Stories stored before this version.
INSERT INTO stories_fts (stories_fts) VALUES ('rebuild');
