package health.vclinic.inference.news2;

/** The seven physiological parameters of NEWS2 (RCP 2017, Chart 1), with their request fields. */
public enum News2Parameter {
    RESPIRATORY_RATE("respiratory_rate", "vitals.respiratory_rate", "respiratory rate", "/min"),
    SPO2("spo2", "vitals.spo2", "SpO2", "%"),
    AIR_OR_OXYGEN("air_or_oxygen", "vitals.supplemental_oxygen", "air or oxygen", ""),
    SYSTOLIC_BP("systolic_bp", "vitals.systolic_bp", "systolic blood pressure", "mmHg"),
    PULSE("pulse", "vitals.heart_rate", "heart rate", "/min"),
    CONSCIOUSNESS("consciousness", "vitals.consciousness", "consciousness", ""),
    TEMPERATURE("temperature", "vitals.temperature_c", "temperature", "°C");

    private final String id;
    private final String field;
    private final String words;
    private final String unit;

    News2Parameter(String id, String field, String words, String unit) {
        this.id = id;
        this.field = field;
        this.words = words;
        this.unit = unit;
    }

    /** Stable identifier used on the wire ("respiratory_rate"). */
    public String id() {
        return id;
    }

    /** The request field that feeds it ("vitals.respiratory_rate"). */
    public String field() {
        return field;
    }

    /** Plain words for explanations. */
    public String words() {
        return words;
    }

    public String unit() {
        return unit;
    }
}
