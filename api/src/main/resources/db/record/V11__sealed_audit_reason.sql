-- Break-glass reasons sealed at rest. A reason is free text a clinician types in an emergency and may describe
-- the patient; until this version it was kept in clear in audit_event.reason. From now on the service writes it
-- to reason_sealed instead: AES-256-GCM under a key derived from the audit key (HKDF-SHA256, purpose
-- "vclinic-audit-reason/1"), bound to the entry's sequence number, so only a holder of the audit key (the
-- service, `vclinic admin audit`) reads it. The entry MAC still covers the reason's text, so verification is
-- unchanged. The trail is append-only: reasons written before this version stay in clear.

ALTER TABLE audit_event ADD COLUMN reason_sealed bytea;
ALTER TABLE audit_event ADD CONSTRAINT audit_event_reason_once CHECK (reason IS NULL OR reason_sealed IS NULL);
