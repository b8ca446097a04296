-- Trend windows: each monitored patient's accepted vital-sign samples summarised per minute (by the
-- device's clock), enough to plot heart rate, SpO2, respiratory rate, blood pressure and temperature
-- over hours without keeping every sample. The writer summarises what it holds every few seconds, so
-- one minute may have a few partial rows: readers merge them (sum of counts and sums, min of minima,
-- max of maxima). Per vital sign: n samples that measured it, their sum, min and max (NULL when n = 0).
-- Append-only like the rest of the record; deleted only by erasure or the retention purge.

CREATE TABLE vital_window (
    window_id              uuid PRIMARY KEY,
    clinic_id              text        NOT NULL,
    patient_ref            text        NOT NULL,
    window_start           timestamptz NOT NULL,
    recorded_at            timestamptz NOT NULL DEFAULT now(),
    samples                integer     NOT NULL CHECK (samples > 0),
    heart_rate_n           integer     NOT NULL,
    heart_rate_sum         double precision,
    heart_rate_min         double precision,
    heart_rate_max         double precision,
    spo2_n                 integer     NOT NULL,
    spo2_sum               double precision,
    spo2_min               double precision,
    spo2_max               double precision,
    respiratory_rate_n     integer     NOT NULL,
    respiratory_rate_sum   double precision,
    respiratory_rate_min   double precision,
    respiratory_rate_max   double precision,
    systolic_bp_n          integer     NOT NULL,
    systolic_bp_sum        double precision,
    systolic_bp_min        double precision,
    systolic_bp_max        double precision,
    diastolic_bp_n         integer     NOT NULL,
    diastolic_bp_sum       double precision,
    diastolic_bp_min       double precision,
    diastolic_bp_max       double precision,
    temperature_c_n        integer     NOT NULL,
    temperature_c_sum      double precision,
    temperature_c_min      double precision,
    temperature_c_max      double precision
);
CREATE INDEX vital_window_trend ON vital_window (clinic_id, patient_ref, window_start);
CREATE INDEX vital_window_age ON vital_window (window_start);
CREATE TRIGGER vital_window_append_only BEFORE UPDATE ON vital_window FOR EACH ROW EXECUTE FUNCTION refuse_update();
