package health.vclinic.api.triage;

import health.vclinic.api.triage.v1.Consciousness;
import health.vclinic.api.triage.v1.Interview;
import health.vclinic.api.triage.v1.Patient;
import health.vclinic.api.triage.v1.Sex;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.VitalSigns;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Varied triage requests for load: what a clinic's backend sends over a day, not one request repeated.
 * Seeded, so two runs send the same requests. Children and adults; complaints of one word to a long
 * paragraph, with and without red flags, negated and historical findings; vital signs complete, partial or
 * absent; questionnaires now and then; a patient reference on most.
 *
 * <p>For benchmarks ({@code vclinic bench}, the JMH benchmarks), never for evaluation: the values are
 * plausible, not clinical cases.
 */
public final class SyntheticRequests {

    private static final String[] PRESENTING = {
        "crushing chest pain going down my left arm, feeling sweaty", "chest tightness when climbing stairs",
        "sudden severe headache, worst of my life", "face drooping on one side and slurred speech",
        "short of breath, can't finish a sentence", "cough and fever for three days", "sore throat",
        "abd pain", "dyspnea", "LOC", "vomiting blood this morning", "rash on both legs that does not fade",
        "twisted my ankle playing football", "burning when passing urine", "low back pain after lifting",
        "feeling very low, thoughts of ending my life", "anxious and not sleeping", "ear ache since yesterday",
        "headache", "dizzy when standing up", "palpitations on and off", "fever", "diarrhoea for two days",
        "cut on my hand from a kitchen knife, bleeding stopped", "itchy eyes and sneezing",
        "wants a repeat prescription", "swollen painful calf after a long flight", "blurred vision in one eye",
    };
    private static final String[] QUALIFYING = {
        "", "", "", "denies chest pain", "no shortness of breath", "had a stroke last year",
        "ruled out for a clot in 2019", "no fever", "started about two hours ago", "getting worse since this morning",
        "my GP said it was a virus", "took paracetamol with no effect", "pain is 7 out of 10",
        "never had this before", "history of asthma", "no longer vomiting",
    };

    private SyntheticRequests() {
    }

    /** The seed of the benchmarks' generated requests. */
    public static final long BENCH_SEED = 20_261_204L;

    /** The examples of the README, one request per line, under the project root. */
    public static final String EXAMPLES = "examples/triage-requests.jsonl";

    /**
     * What the benchmarks send: the examples ({@link #EXAMPLES} under {@code projectRoot}), then 1,000
     * generated requests of {@link #BENCH_SEED}.
     */
    public static List<TriageRequest> benchSet(java.nio.file.Path projectRoot) throws java.io.IOException {
        List<TriageRequest> all = new ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(projectRoot.resolve(EXAMPLES))) {
            if (!line.isBlank()) {
                all.add(TriageEndpoint.parseJson(line));
            }
        }
        all.addAll(generate(1_000, BENCH_SEED));
        return List.copyOf(all);
    }

    /** {@code count} requests from {@code seed}; the same seed gives the same requests. */
    public static List<TriageRequest> generate(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TriageRequest> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(one(random, i));
        }
        return List.copyOf(out);
    }

    private static TriageRequest one(SplittableRandom r, int i) {
        boolean child = r.nextInt(5) == 0;
        double age = child ? round(r.nextDouble(0.1, 16), 1) : r.nextInt(16, 96);
        Patient.Builder patient = Patient.newBuilder().setAgeYears(age)
                .setSex(r.nextBoolean() ? Sex.FEMALE : Sex.MALE);
        TriageRequest.Builder b = TriageRequest.newBuilder().setEncounterId("synthetic-" + i).setPatient(patient)
                .setInterview(interview(r));
        int vitals = r.nextInt(10);
        if (vitals > 0) {
            b.setVitals(vitals(r, child, vitals < 4));
        }
        if (r.nextInt(10) < 8) {
            b.setPatientRef("synthetic-patient-" + r.nextInt(500));
        }
        return b.build();
    }

    private static Interview interview(SplittableRandom r) {
        StringBuilder complaint = new StringBuilder(PRESENTING[r.nextInt(PRESENTING.length)]);
        // From one phrase to a paragraph: terse EHR shorthand and patients who tell their story.
        int more = r.nextInt(8) == 0 ? 4 + r.nextInt(8) : r.nextInt(3);
        for (int k = 0; k < more; k++) {
            String q = QUALIFYING[r.nextInt(QUALIFYING.length)];
            if (!q.isEmpty()) {
                complaint.append(", ").append(q);
            }
        }
        Interview.Builder b = Interview.newBuilder().setChiefComplaint(complaint.toString());
        if (r.nextBoolean()) {
            b.setPainScore(r.nextInt(11));
        }
        if (r.nextBoolean()) {
            b.setSymptomOnsetHours(round(r.nextDouble(0.2, 240), 1));
        }
        if (r.nextInt(12) == 0) {
            for (int k = 0; k < 9; k++) {
                b.addPhq9(r.nextInt(4));
            }
            for (int k = 0; k < 7; k++) {
                b.addGad7(r.nextInt(4));
            }
        }
        return b.build();
    }

    /** Plausible values, now and then abnormal; {@code partial}: some left out. */
    private static VitalSigns vitals(SplittableRandom r, boolean child, boolean partial) {
        boolean ill = r.nextInt(4) == 0;
        VitalSigns.Builder v = VitalSigns.newBuilder();
        if (!partial || r.nextBoolean()) {
            v.setHeartRate(Math.round(child ? r.nextDouble(80, ill ? 190 : 140) : r.nextDouble(55, ill ? 140 : 100)));
        }
        if (!partial || r.nextBoolean()) {
            v.setRespiratoryRate(Math.round(child ? r.nextDouble(18, ill ? 55 : 35) : r.nextDouble(11, ill ? 32 : 20)));
        }
        if (!partial || r.nextBoolean()) {
            double systolic = Math.round(r.nextDouble(ill ? 80 : 100, ill ? 190 : 150));
            v.setSystolicBp(systolic).setDiastolicBp(Math.round(systolic * r.nextDouble(0.55, 0.7)));
        }
        if (!partial || r.nextBoolean()) {
            v.setTemperatureC(round(r.nextDouble(36.0, ill ? 40.2 : 37.6), 1));
        }
        if (!partial || r.nextBoolean()) {
            v.setSpo2(Math.round(r.nextDouble(ill ? 86 : 95, 100))).setSupplementalOxygen(false);
        }
        if (!partial || r.nextBoolean()) {
            v.setConsciousness(ill && r.nextInt(5) == 0 ? Consciousness.NEW_CONFUSION : Consciousness.ALERT);
        }
        return v.build();
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
