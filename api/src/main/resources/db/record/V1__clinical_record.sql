-- The clinical record. Append-only: a correction is a new row, never an update in place (the trigger
-- below refuses UPDATE). Rows are deleted only by a patient's erasure or by the retention purge.
-- Every row carries its clinic, so per-clinic identity partitions data that already exists.

CREATE TABLE triage_assessment (
    record_id      uuid PRIMARY KEY,
    clinic_id      text        NOT NULL,
    patient_ref    text,
    assessed_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    latency_micros bigint      NOT NULL,
    level          integer     NOT NULL,
    decided_by     text        NOT NULL,
    -- Every rule set and model that took part, as "name=version".
    model_versions text[]      NOT NULL,
    -- The TriageRequest as received and the TriageAssessment answered, as protobuf bytes.
    request        bytea       NOT NULL,
    result         bytea       NOT NULL
);
CREATE INDEX triage_assessment_timeline ON triage_assessment (clinic_id, patient_ref, assessed_at DESC, record_id DESC);
CREATE INDEX triage_assessment_age ON triage_assessment (assessed_at);

CREATE TABLE alert_event (
    event_id     uuid PRIMARY KEY,
    clinic_id    text        NOT NULL,
    patient_ref  text        NOT NULL,
    alert_id     text        NOT NULL,
    state        text        NOT NULL CHECK (state IN ('RAISED', 'UPDATED', 'RESOLVED')),
    severity     text        NOT NULL,
    occurred_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    -- The vclinic.monitoring.v1.Alert as sent, with its evidence.
    event        bytea       NOT NULL
);
CREATE INDEX alert_event_timeline ON alert_event (clinic_id, patient_ref, occurred_at DESC, event_id DESC);
CREATE INDEX alert_event_open ON alert_event (clinic_id, alert_id, occurred_at DESC);

CREATE TABLE imaging_analysis (
    record_id    uuid PRIMARY KEY,
    clinic_id    text        NOT NULL,
    patient_ref  text,
    analyzed_at  timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    model_id     text        NOT NULL,
    finding      text        NOT NULL,
    image        bytea       NOT NULL,
    -- The vclinic.imaging.v1.AnalyzeResponse, saliency map included.
    result       bytea       NOT NULL
);
CREATE INDEX imaging_analysis_timeline ON imaging_analysis (clinic_id, patient_ref, analyzed_at DESC, record_id DESC);

CREATE TABLE fhir_call (
    record_id        uuid PRIMARY KEY,
    clinic_id        text        NOT NULL,
    patient_ref      text,
    called_at        timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    operation        text        NOT NULL,
    request          bytea       NOT NULL,
    risk_assessment  bytea       NOT NULL
);
CREATE INDEX fhir_call_timeline ON fhir_call (clinic_id, patient_ref, called_at DESC, record_id DESC);

-- That an erasure happened, and how much it removed; never whom it was about.
CREATE TABLE erasure (
    erasure_id   uuid PRIMARY KEY,
    clinic_id    text        NOT NULL,
    erased_at    timestamptz NOT NULL DEFAULT now(),
    reason       text        NOT NULL CHECK (reason IN ('PATIENT_REQUEST', 'RETENTION')),
    rows_erased  bigint      NOT NULL
);

CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the clinical record is append-only: % rows are never updated', TG_TABLE_NAME;
END $$;
CREATE TRIGGER triage_assessment_append_only BEFORE UPDATE ON triage_assessment FOR EACH ROW EXECUTE FUNCTION refuse_update();
CREATE TRIGGER alert_event_append_only BEFORE UPDATE ON alert_event FOR EACH ROW EXECUTE FUNCTION refuse_update();
CREATE TRIGGER imaging_analysis_append_only BEFORE UPDATE ON imaging_analysis FOR EACH ROW EXECUTE FUNCTION refuse_update();
CREATE TRIGGER fhir_call_append_only BEFORE UPDATE ON fhir_call FOR EACH ROW EXECUTE FUNCTION refuse_update();
CREATE TRIGGER erasure_append_only BEFORE UPDATE ON erasure FOR EACH ROW EXECUTE FUNCTION refuse_update();
