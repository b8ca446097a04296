package health.vclinic.datasets.fhir;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * The measurements triage reads from FHIR Observations, by LOINC code (FHIR R4 vital-signs profile,
 * US Core vital signs and pulse oximetry), with the UCUM units each accepts and how each converts to
 * the unit of the domain record. A unit not listed is rejected, never guessed: 37 with an unknown unit
 * could be Celsius or a typo for Fahrenheit.
 *
 * <p>Conversions (UCUM, the Unified Code for Units of Measure): {@code [degF]} to °C as
 * (F − 32) × 5/9; {@code K} to °C as K − 273.15; {@code kPa} to mmHg × 760/101.325 (7.50062);
 * a fraction {@code 1} to % × 100; {@code mL/min} to L/min ÷ 1000.
 */
enum Measure {
    HEART_RATE("vitals.heart_rate", "heart rate", Set.of("8867-4"), units(
            "/min", 1, "{beats}/min", 1, "{beat}/min", 1)),
    RESPIRATORY_RATE("vitals.respiratory_rate", "respiratory rate", Set.of("9279-1"), units(
            "/min", 1, "{breaths}/min", 1, "{breath}/min", 1)),
    /** 2708-6 oxygen saturation in arterial blood; 59408-5 by pulse oximetry (US Core carries both). */
    SPO2("vitals.spo2", "SpO2", Set.of("2708-6", "59408-5"), units("%", 1, "1", 100)),
    /** 8310-5 body temperature, and the site-specific codes the vital-signs profile allows beside it. */
    TEMPERATURE("vitals.temperature_c", "body temperature",
            Set.of("8310-5", "8331-1", "8328-7", "8332-9", "8333-7"), temperatureUnits()),
    SYSTOLIC_BP("vitals.systolic_bp", "systolic blood pressure", Set.of("8480-6"), pressureUnits()),
    DIASTOLIC_BP("vitals.diastolic_bp", "diastolic blood pressure", Set.of("8462-4"), pressureUnits()),
    /** Inhaled oxygen concentration (FiO2): above 21 % (room air) means supplemental oxygen. */
    OXYGEN_CONCENTRATION(Measure.OXYGEN_FIELD, "inhaled oxygen concentration", Set.of("3150-0"),
            units("%", 1, "1", 100)),
    /** Inhaled oxygen flow rate: above 0 means supplemental oxygen. */
    OXYGEN_FLOW(Measure.OXYGEN_FIELD, "inhaled oxygen flow rate", Set.of("3151-8"),
            units("L/min", 1, "mL/min", 0.001)),
    /** Pain severity 0-10 verbal numeric rating; a score, so only dimensionless units. */
    PAIN("interview.pain_score", "pain severity", Set.of("72514-3"), units("{score}", 1, "1", 1));

    /** Both oxygen measurements fill one domain field: on oxygen or on room air. */
    static final String OXYGEN_FIELD = "vitals.supplemental_oxygen";
    /** Blood-pressure panels: 85354-9 (vital-signs profile) and 55284-4 (what Synthea and older systems send). */
    static final Set<String> BLOOD_PRESSURE_PANELS = Set.of("85354-9", "55284-4");
    static final String LOINC = "http://loinc.org";
    static final String UCUM = "http://unitsofmeasure.org";

    private final String field;
    private final String words;
    private final Set<String> loinc;
    private final Map<String, DoubleUnaryOperator> units;

    Measure(String field, String words, Set<String> loinc, Map<String, DoubleUnaryOperator> units) {
        this.field = field;
        this.words = words;
        this.loinc = loinc;
        this.units = units;
    }

    /** The domain field this measure fills ("vitals.heart_rate"). */
    String field() {
        return field;
    }

    String words() {
        return words;
    }

    /** The LOINC codes, for messages ("8867-4"). */
    String codes() {
        return String.join(" / ", loinc.stream().sorted().toList());
    }

    /** The accepted UCUM codes, for messages. */
    Collection<String> unitCodes() {
        return units.keySet();
    }

    /**
     * The value in the domain unit, or empty when {@code ucumCode} is not a unit of this measure. A
     * converted value is rounded to 0.01, far below any instrument's precision, so that 102.2 [degF]
     * reads 39.0 °C and not 38.99999999999999 in explanations.
     */
    OptionalDouble convert(double value, String ucumCode) {
        DoubleUnaryOperator f = units.get(ucumCode);
        if (f == null) {
            return OptionalDouble.empty();
        }
        double v = f.applyAsDouble(value);
        boolean domainUnit = units.keySet().iterator().next().equals(ucumCode);
        return OptionalDouble.of(domainUnit ? v : Math.round(v * 100) / 100.0);
    }

    /** The first measure any of these LOINC codes names. */
    static Optional<Measure> of(Collection<String> loincCodes) {
        return Arrays.stream(values()).filter(m -> loincCodes.stream().anyMatch(m.loinc::contains)).findFirst();
    }

    private static Map<String, DoubleUnaryOperator> units(Object... codeAndFactor) {
        Map<String, DoubleUnaryOperator> m = new LinkedHashMap<>();
        for (int i = 0; i < codeAndFactor.length; i += 2) {
            double factor = ((Number) codeAndFactor[i + 1]).doubleValue();
            m.put((String) codeAndFactor[i], v -> v * factor);
        }
        return m;
    }

    private static Map<String, DoubleUnaryOperator> temperatureUnits() {
        Map<String, DoubleUnaryOperator> m = new LinkedHashMap<>();
        m.put("Cel", v -> v);
        m.put("[degF]", v -> (v - 32) * 5 / 9);
        m.put("K", v -> v - 273.15);
        return m;
    }

    private static Map<String, DoubleUnaryOperator> pressureUnits() {
        Map<String, DoubleUnaryOperator> m = new LinkedHashMap<>();
        m.put("mm[Hg]", v -> v);
        // 1 atm = 101.325 kPa = 760 mmHg.
        m.put("kPa", v -> v * 760 / 101.325);
        return m;
    }
}
