-- Encryption at rest of the clinical record (health.vclinic.api.keys.FieldCipher, AES-256-GCM with the
-- clinic's data key; the associated data names the clinic and "table.column").
--
-- From this version on, a row's free text, images, saliency maps, messages and patient reference are
-- sealed: request/result, image, event, risk_assessment hold envelopes, patient_ref holds the keyed hash
-- (HMAC-SHA256, 64 hex digits) that every lookup, index, erasure and purge compares, and
-- patient_ref_sealed holds the reference itself, sealed, for the readers that return it.
--
-- `sealed` tells the two kinds of row apart without guessing from the bytes (a plaintext protobuf may
-- start with 0x01 as an envelope does): rows written before this version are false until the service
-- seals them on its next start (RecordStore.sealLegacyRows), which is the one UPDATE the append-only
-- trigger lets through: a plaintext row becoming its sealed self, nothing else changed.

ALTER TABLE triage_assessment ADD COLUMN sealed boolean NOT NULL DEFAULT false;
ALTER TABLE triage_assessment ADD COLUMN patient_ref_sealed bytea;
ALTER TABLE alert_event ADD COLUMN sealed boolean NOT NULL DEFAULT false;
ALTER TABLE alert_event ADD COLUMN patient_ref_sealed bytea;
ALTER TABLE imaging_analysis ADD COLUMN sealed boolean NOT NULL DEFAULT false;
ALTER TABLE imaging_analysis ADD COLUMN patient_ref_sealed bytea;
ALTER TABLE fhir_call ADD COLUMN sealed boolean NOT NULL DEFAULT false;
ALTER TABLE fhir_call ADD COLUMN patient_ref_sealed bytea;
ALTER TABLE vital_window ADD COLUMN sealed boolean NOT NULL DEFAULT false;

CREATE FUNCTION refuse_update_but_sealing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT OLD.sealed AND NEW.sealed AND NEW.clinic_id = OLD.clinic_id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the clinical record is append-only: % rows are never updated', TG_TABLE_NAME;
END $$;

DROP TRIGGER triage_assessment_append_only ON triage_assessment;
CREATE TRIGGER triage_assessment_append_only BEFORE UPDATE ON triage_assessment FOR EACH ROW EXECUTE FUNCTION refuse_update_but_sealing();
DROP TRIGGER alert_event_append_only ON alert_event;
CREATE TRIGGER alert_event_append_only BEFORE UPDATE ON alert_event FOR EACH ROW EXECUTE FUNCTION refuse_update_but_sealing();
DROP TRIGGER imaging_analysis_append_only ON imaging_analysis;
CREATE TRIGGER imaging_analysis_append_only BEFORE UPDATE ON imaging_analysis FOR EACH ROW EXECUTE FUNCTION refuse_update_but_sealing();
DROP TRIGGER fhir_call_append_only ON fhir_call;
CREATE TRIGGER fhir_call_append_only BEFORE UPDATE ON fhir_call FOR EACH ROW EXECUTE FUNCTION refuse_update_but_sealing();
DROP TRIGGER vital_window_append_only ON vital_window;
CREATE TRIGGER vital_window_append_only BEFORE UPDATE ON vital_window FOR EACH ROW EXECUTE FUNCTION refuse_update_but_sealing();
