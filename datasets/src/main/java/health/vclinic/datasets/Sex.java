package health.vclinic.datasets;

/** Administrative sex as recorded by the clinic; {@link #UNKNOWN} when not given. */
public enum Sex {
    FEMALE,
    MALE,
    OTHER,
    UNKNOWN
}
