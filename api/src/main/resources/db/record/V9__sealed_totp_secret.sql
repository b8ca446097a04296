-- The clinicians' TOTP secrets sealed at rest (health.vclinic.api.keys.FieldCipher: AES-256-GCM under the
-- account's clinic's data key, context "app_user.totp_secret"), so a copy of the database no longer holds
-- every clinician's second factor in clear.
--
-- totp_sealed tells the two kinds of row apart without guessing from the bytes: accounts created before
-- this version are false until the service seals them in place on its next start
-- (health.vclinic.api.security.login.Accounts.sealLegacySecrets), as the record's rows were after V8.

ALTER TABLE app_user ADD COLUMN totp_sealed boolean NOT NULL DEFAULT false;
