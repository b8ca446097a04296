package health.vclinic.inference;

/** What a virtual clinic tells the patient to do, one per triage level (see {@link TriageLevel}). */
public enum Disposition {
    EMERGENCY_SERVICES("call emergency services now"),
    EMERGENCY_DEPARTMENT("go to an emergency department now"),
    URGENT_CARE_24H("see a clinician within 24 hours"),
    ROUTINE_CONSULT("book a routine consultation"),
    SELF_CARE("self-care, with advice on when to seek help");

    private final String advice;

    Disposition(String advice) {
        this.advice = advice;
    }

    /** The advice in plain words. */
    public String advice() {
        return advice;
    }
}
