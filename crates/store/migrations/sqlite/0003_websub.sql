-- WebSub (push) subscriptions: one per source, replaced when its hub or topic changes.
CREATE TABLE websub_subscriptions (
    source_id   INTEGER PRIMARY KEY REFERENCES sources (id),
    hub         TEXT    NOT NULL,
    topic       TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    token       TEXT    NOT NULL UNIQUE,
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'active', 'denied')),
    lease_until INTEGER
);
CREATE INDEX websub_expiring ON websub_subscriptions (lease_until) WHERE state = 'active';
