-- Clinician reviews (health.vclinic.api.review): what a clinician did with an assessment (confirmed it, or
-- overrode its level with a coded reason) and with a monitoring alert (acknowledged, escalated, resolved),
-- who, when, and against which model and rule versions. Both are append-only like the record: a later
-- review supersedes an earlier one, never updates it. They go with their assessment or alert event
-- (ON DELETE CASCADE), so a patient's erasure and the retention purge take them too.

CREATE TABLE review (
    review_id       uuid        PRIMARY KEY,
    clinic_id       text        NOT NULL,
    record_id       uuid        NOT NULL REFERENCES triage_assessment (record_id) ON DELETE CASCADE,
    reviewer        text        NOT NULL,
    reviewer_role   text        NOT NULL,
    source          text        NOT NULL CHECK (source IN ('APP', 'CDS_HOOKS')),
    action          text        NOT NULL CHECK (action IN ('CONFIRMED', 'OVERRIDDEN')),
    level_before    integer     NOT NULL CHECK (level_before BETWEEN 1 AND 5),
    -- The clinician's level; NULL when confirmed, and for a CDS Hooks override (the feedback has no level).
    level_after     integer     CHECK (level_after BETWEEN 1 AND 5),
    reason          text        CHECK (reason IN ('MORE_URGENT_CLINICAL_JUDGEMENT', 'LESS_URGENT_CLINICAL_JUDGEMENT',
                                    'INFORMATION_MISSING_FROM_INTERVIEW', 'RED_FLAG_MISSED', 'RED_FLAG_FIRED_WRONGLY',
                                    'MEASUREMENT_ARTEFACT', 'OTHER')),
    comment         text        CHECK (length(comment) <= 2000),
    -- The assessment's rule sets and models as "name=version", copied so that a review names what it judged.
    model_versions  text[]      NOT NULL,
    -- When the clinician acted (for CDS Hooks, the feedback's outcomeTimestamp) and when it was kept.
    reviewed_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((action = 'CONFIRMED') = (reason IS NULL)),
    CHECK (action = 'OVERRIDDEN' OR level_after IS NULL),
    CHECK (source = 'CDS_HOOKS' OR action = 'CONFIRMED' OR level_after IS NOT NULL)
);
CREATE INDEX review_history ON review (clinic_id, record_id, reviewed_at DESC, review_id DESC);
CREATE INDEX review_time ON review (reviewed_at);
-- CDS clients may send the same feedback more than once (CDS Hooks 2.0, "Feedback"): it is kept once.
CREATE UNIQUE INDEX review_once ON review (record_id, source, reviewer, action, reviewed_at);
CREATE TRIGGER review_append_only BEFORE UPDATE ON review FOR EACH ROW EXECUTE FUNCTION refuse_update();

-- Why an assessment awaits a clinician, decided by the writer from the answer itself (WorklistKind): any of
-- NEEDS_REVIEW, HIGH_ACUITY, MODEL_OVER_RULES, DEGRADED. Empty: it needs no review. NULL: recorded before V7.
ALTER TABLE triage_assessment ADD COLUMN review_kinds text[];

-- The worklist's assessments: those awaiting a first review. Not clinical record but work to do, so a row
-- leaves when the assessment is reviewed (the review is the record of that). Filled by the trigger below,
-- in the transaction that keeps the assessment (including a replay of the local spool).
CREATE TABLE review_queue (
    record_id    uuid        PRIMARY KEY REFERENCES triage_assessment (record_id) ON DELETE CASCADE,
    clinic_id    text        NOT NULL,
    level        integer     NOT NULL,
    assessed_at  timestamptz NOT NULL,
    kinds        text[]      NOT NULL
);
-- The worklist's order (most urgent, then oldest) within a clinic, so a page is an index range.
CREATE INDEX review_queue_worklist ON review_queue (clinic_id, level, assessed_at, record_id);

CREATE FUNCTION queue_for_review() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(NEW.review_kinds) > 0 THEN
        INSERT INTO review_queue (record_id, clinic_id, level, assessed_at, kinds)
        VALUES (NEW.record_id, NEW.clinic_id, NEW.level, NEW.assessed_at, NEW.review_kinds)
        ON CONFLICT (record_id) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER triage_assessment_review_queue AFTER INSERT ON triage_assessment FOR EACH ROW
    EXECUTE FUNCTION queue_for_review();

-- A clinician's action on a monitoring alert, with a note; it refers to the alert's latest event when taken.
CREATE TABLE alert_action (
    action_id      uuid        PRIMARY KEY,
    clinic_id      text        NOT NULL,
    alert_id       text        NOT NULL,
    event_id       uuid        NOT NULL REFERENCES alert_event (event_id) ON DELETE CASCADE,
    action         text        NOT NULL CHECK (action IN ('ACKNOWLEDGED', 'ESCALATED', 'RESOLVED')),
    note           text        CHECK (length(note) <= 2000),
    actor          text        NOT NULL,
    actor_role     text        NOT NULL,
    acted_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_action_history ON alert_action (clinic_id, alert_id, acted_at DESC, action_id DESC);
CREATE INDEX alert_action_event ON alert_action (event_id);
CREATE TRIGGER alert_action_append_only BEFORE UPDATE ON alert_action FOR EACH ROW EXECUTE FUNCTION refuse_update();

-- The worklist's open alerts: one row per alert whose monitor has not resolved it and no clinician has
-- resolved it since its latest event. Kept by the trigger below from every alert event, and by the review
-- store when a clinician acts. urgency: the triage level of the NEWS2 band the severity stands for (HIGH is
-- the emergency response of NEWS2 7+, a level 2 floor; MEDIUM 3; LOW 4; INFO 5).
CREATE TABLE alert_queue (
    -- Stable while the alert stays open: the worklist's paging key.
    queue_id      uuid        NOT NULL DEFAULT gen_random_uuid(),
    clinic_id     text        NOT NULL,
    alert_id      text        NOT NULL,
    event_id      uuid        NOT NULL REFERENCES alert_event (event_id) ON DELETE CASCADE,
    patient_ref   text        NOT NULL,
    severity      text        NOT NULL,
    urgency       integer     NOT NULL,
    raised_at     timestamptz NOT NULL,
    occurred_at   timestamptz NOT NULL,
    last_action   text,
    PRIMARY KEY (clinic_id, alert_id)
);
CREATE INDEX alert_queue_worklist ON alert_queue (clinic_id, urgency, raised_at, queue_id);
CREATE INDEX alert_queue_event ON alert_queue (event_id);

CREATE FUNCTION alert_urgency(severity text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE severity WHEN 'HIGH' THEN 2 WHEN 'MEDIUM' THEN 3 WHEN 'LOW' THEN 4 ELSE 5 END
$$;

CREATE FUNCTION queue_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'RESOLVED' THEN
        DELETE FROM alert_queue WHERE clinic_id = NEW.clinic_id AND alert_id = NEW.alert_id
            AND occurred_at <= NEW.occurred_at;
    ELSE
        -- Events of one alert may arrive in any order within a batch: only a newer one moves the row.
        INSERT INTO alert_queue AS q (clinic_id, alert_id, event_id, patient_ref, severity, urgency, raised_at,
                                      occurred_at)
        VALUES (NEW.clinic_id, NEW.alert_id, NEW.event_id, NEW.patient_ref, NEW.severity,
                alert_urgency(NEW.severity),
                (SELECT min(e.occurred_at) FROM alert_event e WHERE e.clinic_id = NEW.clinic_id
                    AND e.alert_id = NEW.alert_id), NEW.occurred_at)
        ON CONFLICT (clinic_id, alert_id) DO UPDATE
            SET event_id = EXCLUDED.event_id, severity = EXCLUDED.severity, urgency = EXCLUDED.urgency,
                occurred_at = EXCLUDED.occurred_at, patient_ref = EXCLUDED.patient_ref
            WHERE q.occurred_at <= EXCLUDED.occurred_at;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER alert_event_queue AFTER INSERT ON alert_event FOR EACH ROW EXECUTE FUNCTION queue_alert();

-- Alerts already open when this migration runs are on the worklist from the start.
INSERT INTO alert_queue (clinic_id, alert_id, event_id, patient_ref, severity, urgency, raised_at, occurred_at)
SELECT l.clinic_id, l.alert_id, l.event_id, l.patient_ref, l.severity, alert_urgency(l.severity),
       (SELECT min(e.occurred_at) FROM alert_event e WHERE e.clinic_id = l.clinic_id AND e.alert_id = l.alert_id),
       l.occurred_at
FROM (SELECT DISTINCT ON (clinic_id, alert_id) * FROM alert_event
      ORDER BY clinic_id, alert_id, occurred_at DESC, event_id DESC) l
WHERE l.state <> 'RESOLVED';

-- Who exported reviews for retraining, when, and what (./vclinic admin export reviews).
CREATE TABLE review_export (
    export_id     uuid        PRIMARY KEY,
    exported_at   timestamptz NOT NULL DEFAULT now(),
    exported_by   text        NOT NULL,
    exported_role text        NOT NULL,
    since         date        NOT NULL,
    clinics       text[]      NOT NULL,
    cases         integer     NOT NULL,
    sha256        text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$')
);
CREATE TRIGGER review_export_append_only BEFORE UPDATE ON review_export FOR EACH ROW EXECUTE FUNCTION refuse_update();
