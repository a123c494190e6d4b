-- Browser sessions for users who live elsewhere (Supabase Auth): no foreign key to the local
-- users table, and room for the backend's refresh token, encrypted with a key derived from
-- the cookie's token (which only the browser holds), so this file alone reveals nothing usable.
CREATE TABLE web_sessions_new (
    token_hash       TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    claim_hash       TEXT UNIQUE,
    claim_expires_at TEXT,
    pending_token    TEXT,
    backend_secret   BLOB
);
INSERT INTO web_sessions_new (token_hash, user_id, created_at, last_seen_at, claim_hash, claim_expires_at, pending_token)
    SELECT token_hash, user_id, created_at, last_seen_at, claim_hash, claim_expires_at, pending_token FROM web_sessions;
DROP TABLE web_sessions;
ALTER TABLE web_sessions_new RENAME TO web_sessions;
CREATE INDEX web_sessions_user ON web_sessions(user_id);
