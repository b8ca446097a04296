-- Encryption at rest: each clinic's AES-256 data keys, stored only wrapped (AES-256-GCM, the clinic and
-- the version as associated data) by the master key, which is never in this database: it lives in a key
-- file outside the data directory, an environment variable or a KMS (health.vclinic.api.keys).

-- The fingerprint (HKDF of the master key, 8 bytes in hex; reveals nothing of it) of the master key that
-- wraps every data key below, so a service started with another master key refuses to start instead of
-- wrapping new keys no one else can unwrap. One row.
CREATE TABLE master_key_fingerprint (
    singleton     boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    fingerprint   text        NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{16}$'),
    installed_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per version of a clinic's data key. The current version (new seals) is the one not retired;
-- older versions stay to open what they sealed. Shredding nulls the wrapped key and keeps the row as the
-- record that it happened (and so that nothing more is sealed for the clinic).
CREATE TABLE clinic_key (
    clinic_id    text        NOT NULL,
    key_version  integer     NOT NULL CHECK (key_version >= 1),
    wrapped_key  bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    retired_at   timestamptz,
    shredded_at  timestamptz,
    PRIMARY KEY (clinic_id, key_version),
    CHECK ((wrapped_key IS NULL) = (shredded_at IS NOT NULL)),
    CHECK (shredded_at IS NULL OR retired_at IS NOT NULL)
);
CREATE UNIQUE INDEX clinic_key_current ON clinic_key (clinic_id) WHERE retired_at IS NULL;
