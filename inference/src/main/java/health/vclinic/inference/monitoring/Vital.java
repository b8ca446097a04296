package health.vclinic.inference.monitoring;

import health.vclinic.datasets.VitalSigns;
import java.util.OptionalDouble;

/** The numeric vital signs a monitoring window keeps, with their wire names and units. */
public enum Vital {
    HEART_RATE("heart_rate", "/min"),
    RESPIRATORY_RATE("respiratory_rate", "/min"),
    SYSTOLIC_BP("systolic_bp", "mmHg"),
    DIASTOLIC_BP("diastolic_bp", "mmHg"),
    TEMPERATURE("temperature_c", "°C"),
    SPO2("spo2", "%");

    static final Vital[] ALL = values();

    private final String id;
    private final String unit;

    Vital(String id, String unit) {
        this.id = id;
        this.unit = unit;
    }

    /** The wire name ({@code heart_rate}). */
    public String id() {
        return id;
    }

    public String unit() {
        return unit;
    }

    /** Plain words ("heart rate"). */
    public String words() {
        return switch (this) {
            case SPO2 -> "SpO2";
            case TEMPERATURE -> "temperature";
            default -> name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ').replace(" bp", " BP");
        };
    }

    /** This vital's value in a set of vital signs. */
    public OptionalDouble of(VitalSigns v) {
        return switch (this) {
            case HEART_RATE -> v.heartRate();
            case RESPIRATORY_RATE -> v.respiratoryRate();
            case SYSTOLIC_BP -> v.systolicBp();
            case DIASTOLIC_BP -> v.diastolicBp();
            case TEMPERATURE -> v.temperatureC();
            case SPO2 -> v.spo2();
        };
    }
}
