-- The audit log is append-only and hash-chained. A mutation writes two rows:
-- an 'attempt' (committed before the change runs, with the before value) and
-- an 'outcome' (after it, with the after value or the error). Rows are never
-- updated, so a later outcome cannot break the chain of rows written between.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,            -- position in the chain, 1-based, no gaps
    record_id    INTEGER NOT NULL,               -- seq of the attempt this row belongs to
    phase        TEXT    NOT NULL CHECK (phase IN ('attempt', 'outcome')),
    ts           TEXT    NOT NULL,               -- RFC 3339 UTC
    actor        TEXT    NOT NULL,
    client_addr  TEXT,
    backend      TEXT    NOT NULL,
    cluster      TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    params       TEXT    NOT NULL,               -- JSON
    before_value TEXT,
    after_value  TEXT,
    outcome      TEXT CHECK (outcome IN ('ok', 'error', 'denied')),  -- NULL on attempts
    error        TEXT,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL
);

CREATE INDEX audit_log_record ON audit_log (record_id);
CREATE INDEX audit_log_target ON audit_log (backend, cluster, target);
