-- The audit trail: one row per access to patient data (create, read, query, export, erase), per login
-- and failed login, per denial and per emergency access. Append-only and hash-chained: each row holds the
-- chain MAC of the row before it, and the MACs are keyed by the audit key, a file the database never sees,
-- so whoever can write to this table can neither alter, remove nor insert a row unnoticed
-- (`vclinic admin audit verify`). No patient data in clear: a patient appears only as the keyed hash of
-- the reference, so a patient's erasure leaves the trail whole.

CREATE TABLE audit_event (
    -- 1, 2, 3, ... in chain order, without gaps: appends are serialised by an advisory lock.
    seq            bigint      PRIMARY KEY CHECK (seq >= 1),
    recorded_at    timestamptz NOT NULL,
    -- Who acted: a client id or a user login, never a patient; their role when they acted.
    actor_subject  text        NOT NULL,
    actor_role     text        NOT NULL,
    clinic_id      text        NOT NULL,
    action         text        NOT NULL CHECK (action IN ('CREATE', 'READ', 'UPDATE', 'QUERY', 'EXPORT', 'ERASE',
                                   'LOGIN', 'LOGOUT', 'LOGIN_FAILED', 'DENIED', 'BREAK_GLASS')),
    object_type    text        NOT NULL,
    object_id      text        NOT NULL,
    -- HMAC-SHA256 of the patient reference under the audit key, lower-case hex; never the reference.
    patient_hash   text        CHECK (patient_hash ~ '^[0-9a-f]{64}$'),
    outcome        text        NOT NULL CHECK (outcome IN ('SUCCESS', 'FAILURE', 'DENIED')),
    request_id     text        NOT NULL,
    -- Why, for an emergency access ("break glass").
    reason         text,
    -- entry_mac authenticates this row's fields (its seq included); chain_mac = HMAC(entry_mac, prev_mac)
    -- links it to the row before, whose chain_mac is prev_mac (32 zero bytes before the first row).
    prev_mac       bytea       NOT NULL CHECK (length(prev_mac) = 32),
    entry_mac      bytea       NOT NULL CHECK (length(entry_mac) = 32),
    chain_mac      bytea       NOT NULL CHECK (length(chain_mac) = 32)
);
CREATE INDEX audit_event_clinic ON audit_event (clinic_id, seq DESC);
CREATE INDEX audit_event_patient ON audit_event (clinic_id, patient_hash, seq DESC) WHERE patient_hash IS NOT NULL;
CREATE INDEX audit_event_recorded ON audit_event (recorded_at);

CREATE FUNCTION refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % rows are never updated, deleted or truncated', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_change();
