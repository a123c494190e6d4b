-- Accounts (operators, clients, analysts) and meetings.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('operator', 'client', 'analyst')),
    operator_id   TEXT REFERENCES users(id) ON DELETE RESTRICT,
    tier          TEXT CHECK (tier IN ('lab', 'one')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CHECK ((role = 'operator') = (operator_id IS NULL))
);
CREATE INDEX users_operator_id ON users(operator_id);

CREATE TABLE login_attempts (
    email        TEXT PRIMARY KEY COLLATE NOCASE,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    updated_at   TEXT NOT NULL
);

CREATE TABLE meetings (
    id               TEXT PRIMARY KEY,
    client_id        TEXT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    operator_id      TEXT NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    scheduled_at     TEXT NOT NULL,
    started_at       TEXT,
    ended_at         TEXT,
    duration_seconds INTEGER,
    session_id       TEXT,
    status           TEXT NOT NULL CHECK (status IN ('scheduled', 'in_progress', 'completed', 'cancelled')),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX meetings_client_id ON meetings(client_id);
CREATE INDEX meetings_operator_id ON meetings(operator_id);
CREATE INDEX meetings_status ON meetings(status);
CREATE INDEX meetings_scheduled_at ON meetings(scheduled_at);
-- The Hub's common query: one operator, a status filter, newest first.
CREATE INDEX meetings_operator_status_scheduled ON meetings(operator_id, status, scheduled_at);
CREATE INDEX meetings_client_status_scheduled ON meetings(client_id, status, scheduled_at);
CREATE UNIQUE INDEX meetings_session_id ON meetings(session_id) WHERE session_id IS NOT NULL;
