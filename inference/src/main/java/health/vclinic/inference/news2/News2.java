package health.vclinic.inference.news2;

import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.VitalSigns;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * National Early Warning Score 2 (Royal College of Physicians, 2017), Chart 1 (scoring) and Chart 4
 * (clinical risk bands).
 *
 * <p>Rounding rule: the chart gives temperature to 0.1 °C and every other parameter in whole units,
 * so a value between two bands is first rounded half-up to the chart's precision (pulse 90.5 scores
 * as 91, temperature 35.05 as 35.1). Rounding is decimal, so 35.05 is not mistaken for 35.0499...
 *
 * <p>Missing parameters score nothing and are listed in {@link News2Score#missing()}: the total is
 * then the lowest score the patient can have, which keeps every floor derived from it safe. With SpO2
 * scale 2, saturations of 93 % or more score by whether the patient is on oxygen; when that is not
 * known they are scored as on air (the lower bound) and the result says so.
 */
public final class News2 {

    /** NEWS2 is validated for adults: 16 years and over (RCP 2017, section 1). */
    public static final double MIN_AGE_YEARS = 16;

    private News2() {
    }

    /** Scores an adult; for a child the result is not applicable and its total is 0. */
    public static News2Score assess(Patient patient, VitalSigns vitals) {
        SpO2Scale scale = vitals.hypercapnicRespiratoryFailure().orElse(false) ? SpO2Scale.SCALE_2 : SpO2Scale.SCALE_1;
        if (patient.child()) {
            return new News2Score(false, 0, News2Band.LOW, scale, List.of(), List.of(),
                    List.of("NEWS2 is not validated under 16 years: paediatric vital-sign limits apply"));
        }
        News2Score score = score(vitals);
        if (patient.knownPregnant()) {
            List<String> notes = new ArrayList<>(score.notes());
            notes.add("NEWS2 is not validated in pregnancy: interpret with an obstetric score");
            return new News2Score(true, score.total(), score.band(), score.scale(), score.parameters(),
                    score.missing(), notes);
        }
        return score;
    }

    /** Scores vital signs on the adult chart. */
    public static News2Score score(VitalSigns vitals) {
        SpO2Scale scale = vitals.hypercapnicRespiratoryFailure().orElse(false) ? SpO2Scale.SCALE_2 : SpO2Scale.SCALE_1;
        List<ParameterScore> scored = new ArrayList<>(7);
        List<News2Parameter> missing = new ArrayList<>();
        List<String> notes = new ArrayList<>(1);

        whole(vitals.respiratoryRate()).ifPresentOrElse(
                rr -> scored.add(new ParameterScore(News2Parameter.RESPIRATORY_RATE, Long.toString(rr), respiratoryRatePoints(rr))),
                () -> missing.add(News2Parameter.RESPIRATORY_RATE));

        Optional<Boolean> oxygen = vitals.supplementalOxygen();
        Optional<Long> spo2 = whole(vitals.spo2());
        if (spo2.isPresent()) {
            long s = spo2.get();
            int points = scale == SpO2Scale.SCALE_1 ? spo2Scale1Points(s) : spo2Scale2Points(s, oxygen.orElse(false));
            scored.add(new ParameterScore(News2Parameter.SPO2, Long.toString(s), points));
            if (scale == SpO2Scale.SCALE_2 && s >= 93 && oxygen.isEmpty()) {
                notes.add("SpO2 scale 2 scored as on air because oxygen use was not given");
            }
        } else {
            missing.add(News2Parameter.SPO2);
        }

        oxygen.ifPresentOrElse(
                o -> scored.add(new ParameterScore(News2Parameter.AIR_OR_OXYGEN, o ? "oxygen" : "air", o ? 2 : 0)),
                () -> missing.add(News2Parameter.AIR_OR_OXYGEN));

        whole(vitals.systolicBp()).ifPresentOrElse(
                sbp -> scored.add(new ParameterScore(News2Parameter.SYSTOLIC_BP, Long.toString(sbp), systolicPoints(sbp))),
                () -> missing.add(News2Parameter.SYSTOLIC_BP));

        whole(vitals.heartRate()).ifPresentOrElse(
                hr -> scored.add(new ParameterScore(News2Parameter.PULSE, Long.toString(hr), pulsePoints(hr))),
                () -> missing.add(News2Parameter.PULSE));

        vitals.consciousness().ifPresentOrElse(
                c -> scored.add(new ParameterScore(News2Parameter.CONSCIOUSNESS, words(c), consciousnessPoints(c))),
                () -> missing.add(News2Parameter.CONSCIOUSNESS));

        tenths(vitals.temperatureC()).ifPresentOrElse(
                t -> scored.add(new ParameterScore(News2Parameter.TEMPERATURE, t.toPlainString(), temperaturePoints(t))),
                () -> missing.add(News2Parameter.TEMPERATURE));

        int total = scored.stream().mapToInt(ParameterScore::points).sum();
        boolean red = scored.stream().anyMatch(p -> p.points() == 3);
        return new News2Score(true, total, band(total, red), scale, scored, missing, notes);
    }

    /** Chart 4: 7+ high, 5-6 medium, a single 3 low-medium, otherwise low. */
    static News2Band band(int total, boolean anySingleThree) {
        if (total >= 7) {
            return News2Band.HIGH;
        }
        if (total >= 5) {
            return News2Band.MEDIUM;
        }
        return anySingleThree ? News2Band.LOW_MEDIUM : News2Band.LOW;
    }

    static int respiratoryRatePoints(long rr) {
        if (rr <= 8) {
            return 3;
        }
        if (rr <= 11) {
            return 1;
        }
        if (rr <= 20) {
            return 0;
        }
        if (rr <= 24) {
            return 2;
        }
        return 3;
    }

    static int spo2Scale1Points(long spo2) {
        if (spo2 <= 91) {
            return 3;
        }
        if (spo2 <= 93) {
            return 2;
        }
        if (spo2 <= 95) {
            return 1;
        }
        return 0;
    }

    static int spo2Scale2Points(long spo2, boolean onOxygen) {
        if (spo2 <= 83) {
            return 3;
        }
        if (spo2 <= 85) {
            return 2;
        }
        if (spo2 <= 87) {
            return 1;
        }
        if (spo2 <= 92 || !onOxygen) {
            return 0;
        }
        if (spo2 <= 94) {
            return 1;
        }
        if (spo2 <= 96) {
            return 2;
        }
        return 3;
    }

    static int systolicPoints(long sbp) {
        if (sbp <= 90) {
            return 3;
        }
        if (sbp <= 100) {
            return 2;
        }
        if (sbp <= 110) {
            return 1;
        }
        if (sbp <= 219) {
            return 0;
        }
        return 3;
    }

    static int pulsePoints(long pulse) {
        if (pulse <= 40) {
            return 3;
        }
        if (pulse <= 50) {
            return 1;
        }
        if (pulse <= 90) {
            return 0;
        }
        if (pulse <= 110) {
            return 1;
        }
        if (pulse <= 130) {
            return 2;
        }
        return 3;
    }

    static int consciousnessPoints(Consciousness c) {
        return c.altered() ? 3 : 0;
    }

    static int temperaturePoints(BigDecimal t) {
        if (t.compareTo(new BigDecimal("35.0")) <= 0) {
            return 3;
        }
        if (t.compareTo(new BigDecimal("36.0")) <= 0) {
            return 1;
        }
        if (t.compareTo(new BigDecimal("38.0")) <= 0) {
            return 0;
        }
        if (t.compareTo(new BigDecimal("39.0")) <= 0) {
            return 1;
        }
        return 2;
    }

    private static Optional<Long> whole(OptionalDouble v) {
        return v.isPresent()
                ? Optional.of(BigDecimal.valueOf(v.getAsDouble()).setScale(0, RoundingMode.HALF_UP).longValueExact())
                : Optional.empty();
    }

    private static Optional<BigDecimal> tenths(OptionalDouble v) {
        return v.isPresent()
                ? Optional.of(BigDecimal.valueOf(v.getAsDouble()).setScale(1, RoundingMode.HALF_UP))
                : Optional.empty();
    }

    private static String words(Consciousness c) {
        return c.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
