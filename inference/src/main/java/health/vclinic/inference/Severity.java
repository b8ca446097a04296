package health.vclinic.inference;

/** Questionnaire severity bands shared by PHQ-9 and GAD-7 (GAD-7 has no "moderately severe"). */
public enum Severity {
    MINIMAL,
    MILD,
    MODERATE,
    MODERATELY_SEVERE,
    SEVERE
}
