-- Facts about the chain itself: from which row on it is keyed (HMAC), and a
-- check value that tells a wrong key from a forged row.
CREATE TABLE audit_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A change the console did not finish (killed mid-way) gets the outcome
-- 'interrupted' at the next start. SQLite cannot alter a CHECK constraint:
-- the table is rebuilt with the same rows, in the same order.
CREATE TABLE audit_log_new (
    seq          INTEGER PRIMARY KEY,
    record_id    INTEGER NOT NULL,
    phase        TEXT    NOT NULL CHECK (phase IN ('attempt', 'outcome')),
    ts           TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    client_addr  TEXT,
    backend      TEXT    NOT NULL,
    cluster      TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    params       TEXT    NOT NULL,
    before_value TEXT,
    after_value  TEXT,
    outcome      TEXT CHECK (outcome IN ('ok', 'error', 'denied', 'interrupted')),
    error        TEXT,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL,
    actor_via    TEXT
);
INSERT INTO audit_log_new (seq, record_id, phase, ts, actor, client_addr, backend, cluster, action, target,
                           params, before_value, after_value, outcome, error, prev_hash, hash, actor_via)
    SELECT seq, record_id, phase, ts, actor, client_addr, backend, cluster, action, target,
           params, before_value, after_value, outcome, error, prev_hash, hash, actor_via
    FROM audit_log ORDER BY seq;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_record ON audit_log (record_id);
CREATE INDEX audit_log_target ON audit_log (backend, cluster, target);
