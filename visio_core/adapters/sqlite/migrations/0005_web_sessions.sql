-- Browser sessions that survive a page reload: the browser holds an HttpOnly cookie with a
-- random token; only its hash is kept. `pending_token` holds the token for the few seconds
-- between sign-in and the browser claiming its cookie, then is erased.
CREATE TABLE web_sessions (
    token_hash       TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at       TEXT NOT NULL,
    last_seen_at     TEXT NOT NULL,
    claim_hash       TEXT UNIQUE,
    claim_expires_at TEXT,
    pending_token    TEXT
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
