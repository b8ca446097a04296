package health.vclinic.inference;

import health.vclinic.datasets.Patient;
import health.vclinic.datasets.VitalSigns;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Age-appropriate vital-sign limits for children under 16, where NEWS2 does not apply.
 *
 * <p>Normal ranges: Advanced Paediatric Life Support (APLS, ALSG, 6th edition), by age band: under 1
 * year, 1-2, 2-5, 5-12, over 12. Where the published bands meet (2, 5, 12 years) the younger band ends
 * before the birthday: a child of exactly 2 years is in the 2-5 band.
 *
 * <p>Floors (a design decision, each step tied to a published criterion):
 * <ul>
 *   <li>heart rate, respiratory rate or systolic pressure outside the APLS normal range: URGENT, the
 *       "amber" tier of NICE NG143 (fever in under 5s), which asks for a face-to-face assessment;</li>
 *   <li>systolic pressure below the PALS hypotension limit (AHA PALS 2020: &lt; 70 mmHg under 1 year,
 *       &lt; 70 + 2 &times; age in years from 1 to 10, &lt; 90 from 10): EMERGENT;</li>
 *   <li>respiratory rate over 60 /min under 5 years, temperature of 38 °C or more under 3 months,
 *       or any altered consciousness (NICE NG143 "red" features): EMERGENT;</li>
 *   <li>SpO2 below 92 % (NICE NG9 bronchiolitis: refer immediately): EMERGENT; 92-95 % (NICE NG143
 *       amber: SpO2 95 % or less in air): URGENT.</li>
 * </ul>
 */
public final class PaediatricLimits {

    public static final String SOURCE = "APLS normal ranges (ALSG 6th ed.); NICE NG143; NICE NG9; AHA PALS 2020";

    /** One APLS age band: upper age (exclusive) and normal ranges. */
    private record Band(String name, double upToYears, double hrLow, double hrHigh,
                        double rrLow, double rrHigh, double sbpLow, double sbpHigh) {
    }

    private static final List<Band> BANDS = List.of(
            new Band("under 1 year", 1, 110, 160, 30, 40, 70, 90),
            new Band("1-2 years", 2, 100, 150, 25, 35, 80, 95),
            new Band("2-5 years", 5, 95, 140, 25, 30, 80, 100),
            new Band("5-12 years", 12, 80, 120, 20, 25, 90, 110),
            new Band("over 12 years", 16, 60, 100, 15, 20, 100, 120));

    private PaediatricLimits() {
    }

    /** Not applicable (empty) unless the patient's age is known and under 16. */
    public static PaediatricAssessment assess(Patient patient, VitalSigns vitals) {
        if (!patient.child()) {
            return PaediatricAssessment.NOT_APPLICABLE;
        }
        double age = patient.ageYears().getAsDouble();
        Band band = band(age);
        List<VitalCheck> checks = new ArrayList<>();
        List<TriageFloor> floors = new ArrayList<>();

        check(checks, floors, "heart_rate", "heart rate", "/min", vitals.heartRate(), band.hrLow(), band.hrHigh(), band);
        check(checks, floors, "respiratory_rate", "respiratory rate", "/min", vitals.respiratoryRate(),
                band.rrLow(), band.rrHigh(), band);
        check(checks, floors, "systolic_bp", "systolic pressure", "mmHg", vitals.systolicBp(),
                band.sbpLow(), band.sbpHigh(), band);

        vitals.systolicBp().ifPresent(sbp -> {
            double limit = hypotensionLimit(age);
            if (sbp < limit) {
                floors.add(new TriageFloor("paediatric:hypotension", TriageLevel.EMERGENT,
                        "systolic pressure " + fmt(sbp) + " mmHg is below the PALS hypotension limit of "
                                + fmt(limit) + " mmHg for age"));
            }
        });
        vitals.respiratoryRate().ifPresent(rr -> {
            if (age < 5 && rr > 60) {
                floors.add(new TriageFloor("paediatric:tachypnoea", TriageLevel.EMERGENT,
                        "respiratory rate " + fmt(rr) + " /min is over 60 under 5 years (NICE NG143 red)"));
            }
        });
        vitals.temperatureC().ifPresent(t -> {
            if (age < 0.25 && t >= 38.0) {
                floors.add(new TriageFloor("paediatric:fever-under-3-months", TriageLevel.EMERGENT,
                        "temperature " + fmt(t) + " °C under 3 months of age (NICE NG143 red)"));
            }
        });
        vitals.spo2().ifPresent(s -> {
            if (s < 92) {
                floors.add(new TriageFloor("paediatric:spo2", TriageLevel.EMERGENT,
                        "SpO2 " + fmt(s) + " % is below 92 % (NICE NG9)"));
            } else if (s <= 95) {
                floors.add(new TriageFloor("paediatric:spo2", TriageLevel.URGENT,
                        "SpO2 " + fmt(s) + " % is 95 % or less (NICE NG143 amber)"));
            }
        });
        vitals.consciousness().filter(c -> c.altered()).ifPresent(c -> floors.add(new TriageFloor(
                "paediatric:consciousness", TriageLevel.EMERGENT,
                "altered consciousness in a child (NICE NG143 red)")));
        return new PaediatricAssessment(true, band.name(), SOURCE, checks, floors);
    }

    /** AHA PALS 2020 systolic hypotension: under 70 in infants, 70 + 2 x age (1-10 years), 90 from 10. */
    static double hypotensionLimit(double ageYears) {
        if (ageYears < 1) {
            return 70;
        }
        if (ageYears < 10) {
            return 70 + 2 * Math.floor(ageYears);
        }
        return 90;
    }

    private static Band band(double age) {
        for (Band b : BANDS) {
            if (age < b.upToYears()) {
                return b;
            }
        }
        throw new IllegalArgumentException("paediatric limits apply under 16 years");
    }

    private static void check(List<VitalCheck> checks, List<TriageFloor> floors, String parameter, String words,
                              String unit, OptionalDouble value, double low, double high, Band band) {
        if (value.isEmpty()) {
            return;
        }
        VitalCheck check = new VitalCheck(parameter, value.getAsDouble(), low, high);
        checks.add(check);
        if (!check.withinNormal()) {
            floors.add(new TriageFloor("paediatric:" + parameter, TriageLevel.URGENT,
                    words + " " + fmt(check.value()) + " " + unit + " is outside the normal range "
                            + fmt(low) + "-" + fmt(high) + " for a child aged " + band.name() + " (APLS)"));
        }
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
