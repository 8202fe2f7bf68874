-- masthead schema, version 6 (SQLite): subscribers of the daily digest, their confirmation
-- tokens, the sign-up mail cap and one delivery row per (digest, subscriber). Never edit once
-- released. Times are integer Unix microseconds plus the UTC offset in seconds.

-- One address on one site. `sections` is a JSON array of section slugs (empty: all).
-- `confirm_token_hash` is the hash of the link that confirmed the address: a second click on
-- it is told "already confirmed" although its token row is gone.
CREATE TABLE subscribers (
    id                  INTEGER PRIMARY KEY,
    site_id             INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    email               TEXT    NOT NULL,
    status              TEXT    NOT NULL
                        CHECK (status IN ('pending', 'confirmed', 'unsubscribed')),
    sections            TEXT    NOT NULL DEFAULT '[]',
    created_at          INTEGER NOT NULL,
    created_offset      INTEGER NOT NULL,
    confirmed_at        INTEGER,
    confirmed_offset    INTEGER,
    unsubscribed_at     INTEGER,
    unsubscribed_offset INTEGER,
    confirm_token_hash  TEXT,
    UNIQUE (site_id, email)
);
-- Paging a site's subscribers, and the confirmed ones a digest claims, in id order.
CREATE INDEX subscribers_site ON subscribers (site_id, id);
CREATE INDEX subscribers_site_status ON subscribers (site_id, status, id);
CREATE INDEX subscribers_confirm_token ON subscribers (confirm_token_hash)
    WHERE confirm_token_hash IS NOT NULL;

-- Single-use confirmation links: only the token's hash is kept.
CREATE TABLE subscription_tokens (
    token_hash    TEXT    PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX subscription_tokens_subscriber ON subscription_tokens (subscriber_id);

-- Sign-up mails sent, per address (any site): the per-address daily cap.
CREATE TABLE signup_mails (
    email       TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    at_offset   INTEGER NOT NULL
);
CREATE INDEX signup_mails_email_at ON signup_mails (email, at);

-- One site's digest of one day (YYYY-MM-DD in the site's zone) to one subscriber: written
-- `sending` with a lease before the mail goes out, `sent` or `failed` after.
CREATE TABLE deliveries (
    site_id         INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    date            TEXT    NOT NULL,
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    owner           TEXT,
    lease_until     INTEGER,
    error           TEXT,
    finished_at     INTEGER,
    finished_offset INTEGER,
    PRIMARY KEY (site_id, date, subscriber_id)
);
CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id);
