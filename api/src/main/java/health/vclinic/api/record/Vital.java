package health.vclinic.api.record;

import com.google.protobuf.Descriptors.FieldDescriptor;
import health.vclinic.api.record.v1.VitalsWindow;
import health.vclinic.datasets.VitalSigns;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * The vital signs kept in trend windows: the {@code vital_window} columns ({@code NAME_n}, {@code _sum},
 * {@code _min}, {@code _max}), the {@code VitalsWindow} field of the same name, and, for the FHIR
 * export, the LOINC code of the FHIR R4 vital-signs profile (hl7.org/fhir/R4/observation-vitalsigns.html)
 * with its UCUM unit.
 */
enum Vital {
    HEART_RATE("heart_rate", VitalSigns::heartRate, "8867-4", "Heart rate", "/min", "beats/minute"),
    SPO2("spo2", VitalSigns::spo2, "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", "%"),
    RESPIRATORY_RATE("respiratory_rate", VitalSigns::respiratoryRate, "9279-1", "Respiratory rate", "/min",
            "breaths/minute"),
    SYSTOLIC_BP("systolic_bp", VitalSigns::systolicBp, "8480-6", "Systolic blood pressure", "mm[Hg]", "mmHg"),
    DIASTOLIC_BP("diastolic_bp", VitalSigns::diastolicBp, "8462-4", "Diastolic blood pressure", "mm[Hg]", "mmHg"),
    TEMPERATURE_C("temperature_c", VitalSigns::temperatureC, "8310-5", "Body temperature", "Cel", "C");

    private final String column;
    private final Function<VitalSigns, OptionalDouble> value;
    private final String loinc;
    private final String display;
    private final String ucum;
    private final String unit;

    Vital(String column, Function<VitalSigns, OptionalDouble> value, String loinc, String display, String ucum,
          String unit) {
        this.column = column;
        this.value = value;
        this.loinc = loinc;
        this.display = display;
        this.ucum = ucum;
        this.unit = unit;
    }

    /** The column prefix in {@code vital_window} and the field name in {@code VitalsWindow}. */
    String column() {
        return column;
    }

    OptionalDouble of(VitalSigns vitals) {
        return value.apply(vitals);
    }

    FieldDescriptor field() {
        return VitalsWindow.getDescriptor().findFieldByName(column);
    }

    String loinc() {
        return loinc;
    }

    String display() {
        return display;
    }

    String ucum() {
        return ucum;
    }

    String unit() {
        return unit;
    }
}
