-- Accounts, grants, sessions and login throttling (issue 14). They live in the
-- audit database so several console replicas can share them later; changes to
-- them are audited through the audit log like every other change.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL UNIQUE,
    -- argon2id PHC string; NULL for accounts that only sign in through SSO
    password_hash TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL
);

-- One row per role a user holds on a scope ("kafka/prod-*", "*/*").
CREATE TABLE grants (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT    NOT NULL,
    scope   TEXT    NOT NULL,
    PRIMARY KEY (user_id, role, scope)
);

-- Server-side sessions. The cookie holds a random secret; only its SHA-256 is
-- stored, so a copy of the database does not let anyone in.
CREATE TABLE sessions (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- how the user proved who they are: password, oidc, proxy
    method      TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    seen_ms     INTEGER NOT NULL,
    client_addr TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed logins per account ("user:alice") and per address ("addr:10.0.0.7"):
-- each failure after the first few doubles the wait before the next try.
CREATE TABLE login_failures (
    key       TEXT    PRIMARY KEY,
    failures  INTEGER NOT NULL,
    last_ms   INTEGER NOT NULL
);

-- How a row's actor authenticated (password, oidc, proxy, token:<id>, cli).
-- Older rows have NULL, and their hashes stay as they were.
ALTER TABLE audit_log ADD COLUMN actor_via TEXT;
