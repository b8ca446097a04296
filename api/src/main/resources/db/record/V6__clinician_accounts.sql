-- Clinicians' accounts and their browser sessions (health.vclinic.api.security.login).
-- Clinics are referenced by id without a foreign key: the clinic table comes in its own migration.

CREATE TABLE app_user (
    user_id          uuid        PRIMARY KEY,
    clinic_id        text        NOT NULL,
    -- Lower-case letters, digits, '.', '_' and '-'; unique within the clinic.
    login            text        NOT NULL CHECK (login ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    role             text        NOT NULL CHECK (role IN ('clinician', 'data-scientist', 'admin')),
    -- Argon2id in the PHC string format: parameters, salt and tag ($argon2id$v=19$m=...,t=...,p=...$salt$tag).
    password_hash    text        NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    -- The TOTP shared secret (RFC 6238), one column so that encryption at rest can wrap it in place.
    totp_secret      bytea       NOT NULL,
    -- The last time step whose code was accepted: a code is good once (RFC 6238 §5.2).
    totp_last_step   bigint      NOT NULL DEFAULT 0,
    failed_attempts  integer     NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until     timestamptz,
    created_at       timestamptz NOT NULL,
    disabled_at      timestamptz,
    UNIQUE (clinic_id, login)
);

-- A session holds only the SHA-256 of the cookie's random id: a copy of this table opens no session.
CREATE TABLE app_session (
    session_hash  bytea       PRIMARY KEY CHECK (length(session_hash) = 32),
    -- The session's public reference (the caller's token id in the audit trail).
    session_ref   uuid        NOT NULL UNIQUE,
    user_id       uuid        NOT NULL REFERENCES app_user ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL
);
CREATE INDEX app_session_user ON app_session (user_id);
CREATE INDEX app_session_last_seen ON app_session (last_seen_at);
