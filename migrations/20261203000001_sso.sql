-- Single sign-on (issue 14, step 3). A session opened through OpenID Connect
-- keeps the grants its groups mapped to at login ("role scope" per line), on
-- top of the grants stored for the account: the provider decides them, and a
-- new login picks up a change.
ALTER TABLE sessions ADD COLUMN sso_grants TEXT;

-- OpenID Connect logins under way: the PKCE verifier and nonce of one
-- authorization request, found again by its state when the provider sends
-- the browser back, and only for the browser that started it (binding is
-- the SHA-256 of a cookie set at the start; it stops login CSRF). Rows older
-- than ten minutes are refused and deleted.
CREATE TABLE oidc_pending (
    state_hash  TEXT    PRIMARY KEY,
    binding     TEXT    NOT NULL,
    verifier    TEXT    NOT NULL,
    nonce       TEXT    NOT NULL,
    next        TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL
);
