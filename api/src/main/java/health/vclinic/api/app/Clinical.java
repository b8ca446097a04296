package health.vclinic.api.app;

import health.vclinic.inference.TriageLevel;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The words the app shows for the service's codes: triage levels with their KTAS names, dispositions and target
 * times (Korean Triage and Acuity Scale, 2016: 1 immediate, 2 within 15 minutes, 3 within 30, 4 within 60, 5 within
 * 120), who decided, request fields, and values rounded as a clinician writes them.
 */
final class Clinical {

    /** Request field paths (as {@code missing} names them) in words. */
    private static final Map<String, String> FIELDS = Map.ofEntries(
            Map.entry("patient.age_years", "age"),
            Map.entry("patient.sex", "sex"),
            Map.entry("patient.pregnant", "pregnancy"),
            Map.entry("vitals.heart_rate", "heart rate"),
            Map.entry("vitals.respiratory_rate", "respiratory rate"),
            Map.entry("vitals.systolic_bp", "systolic blood pressure"),
            Map.entry("vitals.diastolic_bp", "diastolic blood pressure"),
            Map.entry("vitals.temperature_c", "temperature"),
            Map.entry("vitals.spo2", "oxygen saturation (SpO2)"),
            Map.entry("vitals.supplemental_oxygen", "air or oxygen"),
            Map.entry("vitals.consciousness", "consciousness (ACVPU)"),
            Map.entry("interview.chief_complaint", "chief complaint"),
            Map.entry("interview.pain_score", "pain score"),
            Map.entry("interview.symptom_onset_hours", "time since the symptoms began"));

    private Clinical() {
    }

    /** "Emergent" for level 2. */
    static String acuity(int level) {
        String words = TriageLevel.of(level).words().replace('-', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /**
     * The disposition an assessment gave, as advice ("call emergency services now"): its own, which a red
     * flag may make more pressing than its level's (suspected acute coronary syndrome at level 2 calls an
     * ambulance), else, when it names none, the level's.
     */
    static String disposition(String disposition, int level) {
        try {
            return health.vclinic.inference.Disposition.valueOf(disposition).advice();
        } catch (IllegalArgumentException e) {
            return TriageLevel.of(level).disposition().advice();
        }
    }

    /** The KTAS target time to a physician for {@code level}. */
    static String timeFrame(int level) {
        return switch (level) {
            case 1 -> "immediately";
            case 2 -> "within 15 minutes";
            case 3 -> "within 30 minutes";
            case 4 -> "within 60 minutes";
            default -> "within 120 minutes";
        };
    }

    /** Who set the level, in words: "rule: red flag acute-coronary-syndrome", "model: triage-acuity@2". */
    static String decidedBy(String source) {
        if (source.startsWith("model:")) {
            return "model: " + source.substring("model:".length());
        }
        if (source.startsWith("red-flag:")) {
            return "rule: red flag " + source.substring("red-flag:".length());
        }
        if (source.startsWith("news2")) {
            return "rule: NEWS2" + source.substring("news2".length());
        }
        if (source.isEmpty()) {
            return "not recorded";
        }
        return "rule: " + source;
    }

    /** Whether a model (rather than a rule) set the level. */
    static boolean byModel(String source) {
        return source.startsWith("model:");
    }

    /** A request field path in words ("vitals.heart_rate": "heart rate"). */
    static String field(String path) {
        String known = FIELDS.get(path);
        if (known != null) {
            return known;
        }
        String last = path.substring(path.lastIndexOf('.') + 1);
        return last.replace('_', ' ');
    }

    /** An enum name in lower-case words ("MODERATELY_SEVERE": "moderately severe"). */
    static String words(String enumName) {
        return enumName.toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /** {@code v} to {@code decimals} places, half up, as a chart writes it (36.0 keeps its decimal). */
    static String rounded(double v, int decimals) {
        return BigDecimal.valueOf(v).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
    }

    /** How long ago, as a ward board says it: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min";
        }
        if (s < 86_400) {
            return s / 3600 + " h " + s % 3600 / 60 + " min";
        }
        return s / 86_400 + " d " + s % 86_400 / 3600 + " h";
    }
}
