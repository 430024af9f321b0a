-- Leader changes seen by the ensemble monitor (issue 4). Monitoring data, not
-- user changes: it lives beside the audit log, outside its hash chain.
CREATE TABLE ensemble_leader_changes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster       TEXT    NOT NULL,
    -- RFC 3339; when the old leader was first missed, or the switch was seen
    at            TEXT    NOT NULL,
    at_ms         INTEGER NOT NULL,
    old_leader    TEXT,
    old_epoch     INTEGER,
    new_leader    TEXT,
    new_epoch     INTEGER,
    -- NULL while ongoing, or when zkmq was not running to see the gap
    leaderless_ms INTEGER,
    -- 1 while no leader is back yet
    ongoing       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ensemble_leader_changes_cluster ON ensemble_leader_changes (cluster, id);
