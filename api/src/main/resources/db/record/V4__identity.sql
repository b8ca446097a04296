-- Identity: the clinics (tenants) and the SMART Backend Services clients registered for them.
-- Rows are never deleted: a clinic or client is disabled (disabled_at), so that the audit trail keeps
-- naming who did what. A client holds only public keys; its private key never leaves the clinic.

CREATE TABLE clinic (
    -- The form of health.vclinic.api.server.ClinicId.
    clinic_id    text        PRIMARY KEY CHECK (clinic_id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
    display_name text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    disabled_at  timestamptz
);

-- The clinic of a service that has not been told of others: the README's examples use it.
INSERT INTO clinic (clinic_id, display_name) VALUES ('default', 'Default clinic');

CREATE TABLE client (
    -- Random (a UUID); the iss and sub of the client's assertions.
    client_id      text        PRIMARY KEY CHECK (length(client_id) BETWEEN 1 AND 128),
    clinic_id      text        NOT NULL REFERENCES clinic (clinic_id),
    display_name   text        NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    -- The registered JSON Web Key Set: public keys only, each with a kid.
    jwks           jsonb       NOT NULL,
    -- The system scopes it may be granted (SmartScopes.SUPPORTED).
    allowed_scopes text[]      NOT NULL CHECK (cardinality(allowed_scopes) > 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    disabled_at    timestamptz
);
CREATE INDEX client_clinic ON client (clinic_id);
