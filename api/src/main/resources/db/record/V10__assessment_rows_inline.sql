-- An assessment row is 2-4 KB, mostly sealed (AES-GCM) bytes that do not compress. Under the default
-- toast_tuple_target (about 2 KB) PostgreSQL tries to compress them (pglz, wasted on ciphertext) and moves
-- them out of line into the TOAST table (one more insert and index entry per column) for every row.
-- Kept inline up to a page, a row costs one heap insert; a larger one is still toasted as before.
ALTER TABLE triage_assessment SET (toast_tuple_target = 8160);
