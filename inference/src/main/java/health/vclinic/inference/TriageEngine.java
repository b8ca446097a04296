package health.vclinic.inference;

import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.inference.features.ComplaintLexicon;
import health.vclinic.inference.news2.News2;
import health.vclinic.inference.news2.News2Band;
import health.vclinic.inference.news2.News2Parameter;
import health.vclinic.inference.news2.News2Score;
import health.vclinic.inference.news2.ParameterScore;
import health.vclinic.inference.redflags.RedFlag;
import health.vclinic.inference.redflags.RedFlagRules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Assesses one encounter: scores (NEWS2 or paediatric limits, PHQ-9, GAD-7, pain), red-flag rules,
 * the floors they set, and their fusion into one level with its reasons. Immutable and thread safe;
 * every entry point of the service (gRPC, HTTP, CLI, FHIR) calls {@link #assess(Encounter)}.
 *
 * <p>Floors, a design decision documented against CLINICAL.md:
 * <ul>
 *   <li>NEWS2 (adults): 7+ EMERGENT; 5-6 URGENT; a single parameter scoring 3 URGENT; 1-4 LESS_URGENT;
 *       unresponsive RESUSCITATION.</li>
 *   <li>Children under 16: {@link PaediatricLimits}.</li>
 *   <li>Red flags: the rule's own floor ({@link RedFlagRules}).</li>
 *   <li>PHQ-9 or GAD-7 at or above the cut-point 10: LESS_URGENT ({@link Questionnaires}).</li>
 *   <li>Pain 8-10: URGENT; 4-7: LESS_URGENT (the pain modifiers of CTAS and KTAS, for pain whose site is
 *       not known to be central).</li>
 *   <li>Incomplete data: self-care is only advised when a full set of vital signs was measured and the
 *       age is known; otherwise LESS_URGENT (a routine consultation) at least. One exception, for an
 *       adult: SpO2 and oxygen use may be missing when the respiratory rate was measured and scores 0
 *       and the complaint names no current breathing or chest finding ({@code oximetryWaivable}).</li>
 *   <li>Images: the floor an {@link ImagingModel} sets for a positive read (a chest X-ray read as
 *       pneumonia: URGENT); every read is explained and a positive one asks for a clinician's review.</li>
 * </ul>
 */
public final class TriageEngine implements AutoCloseable {

    private final RedFlagRules rules;
    private final Optional<TriageModel> model;
    private final Optional<ImagingModel> imaging;
    private final Map<String, String> versions;
    private final List<MissingModel> degraded;

    /** Rules only: the level is the most urgent floor. */
    public TriageEngine(RedFlagRules rules) {
        this(rules, Optional.empty());
    }

    /** Rules and a model, fused so the model can only add urgency. */
    public TriageEngine(RedFlagRules rules, Optional<TriageModel> model) {
        this(rules, model, Optional.empty());
    }

    /** Rules, a model and an imaging model; neither model can make a case less urgent than the rules. */
    public TriageEngine(RedFlagRules rules, Optional<TriageModel> model, Optional<ImagingModel> imaging) {
        this(rules, model, imaging, List.of());
    }

    private TriageEngine(RedFlagRules rules, Optional<TriageModel> model, Optional<ImagingModel> imaging,
                         List<MissingModel> degraded) {
        this.degraded = List.copyOf(degraded);
        this.rules = rules;
        this.model = model;
        this.imaging = imaging;
        Map<String, String> v = new LinkedHashMap<>();
        v.put("red-flag-rules", rules.version());
        v.put("news2", "RCP-2017");
        v.put("paediatric-limits", "APLS-6");
        v.put("questionnaires", "PHQ-9-2001,GAD-7-2006");
        model.ifPresent(m -> v.put("triage-model", m.id()));
        imaging.ifPresent(m -> v.put("imaging-model", m.id()));
        this.versions = java.util.Collections.unmodifiableMap(v);
    }

    /** An engine over the rules shipped with the service and no model. */
    public static TriageEngine standard() {
        return new TriageEngine(RedFlagRules.standard());
    }

    /** This engine with an imaging model added (or replaced); rules and triage model unchanged. */
    public TriageEngine withImaging(ImagingModel imagingModel) {
        return new TriageEngine(rules, model, Optional.of(imagingModel), degraded);
    }

    /**
     * This engine, knowingly running without models it was configured to serve ({@code missing}: each
     * model with why it is missing). Every answer then says so and asks for a clinician's review: the
     * rules alone miss emergencies a model finds.
     */
    public TriageEngine degraded(List<MissingModel> missing) {
        return new TriageEngine(rules, model, imaging, missing);
    }

    /** The configured models this engine runs without (empty when complete). */
    public List<MissingModel> degradedModels() {
        return degraded;
    }

    /**
     * Closes the triage model's native session, when it has one (the service does this on shutdown).
     * Engines derived from this one ({@link #withImaging}, {@link #degraded}) share the model: close one.
     */
    @Override
    public void close() {
        model.filter(AutoCloseable.class::isInstance).map(AutoCloseable.class::cast).ifPresent(m -> {
            try {
                m.close();
            } catch (Exception e) {
                throw new InferenceException("cannot close the triage model", e);
            }
        });
    }

    public Optional<TriageModel> model() {
        return model;
    }

    public Optional<ImagingModel> imaging() {
        return imaging;
    }

    public RedFlagRules rules() {
        return rules;
    }

    /**
     * What the rules find for this encounter: NEWS2, paediatric limits, red flags, questionnaires. The
     * one place they are computed, for {@link #assess(Encounter)} and for training a model on the
     * same findings it will be given when served.
     */
    public RuleFindings findings(Encounter encounter) {
        News2Score news2 = News2.assess(encounter.patient(), encounter.vitals());
        PaediatricAssessment paediatric = PaediatricLimits.assess(encounter.patient(), encounter.vitals());
        List<RedFlag> redFlags = rules.evaluate(encounter);
        List<QuestionnaireScore> questionnaires = new ArrayList<>(2);
        Questionnaires.phq9(encounter.interview().phq9()).ifPresent(questionnaires::add);
        Questionnaires.gad7(encounter.interview().gad7()).ifPresent(questionnaires::add);
        return new RuleFindings(news2, paediatric, redFlags, questionnaires);
    }

    public TriageResult assess(Encounter encounter) {
        RuleFindings findings = findings(encounter);
        News2Score news2 = findings.news2();
        PaediatricAssessment paediatric = findings.paediatric();
        List<RedFlag> redFlags = findings.redFlags();
        List<QuestionnaireScore> questionnaires = findings.questionnaires();
        List<String> missing = missing(encounter);
        boolean insufficient = insufficient(encounter);
        // A model given nothing to read still answers with confidence; with no vital signs, no complaint
        // and no questionnaire the rules' floor stands and a clinician decides.
        Optional<ModelOpinion> opinion = insufficient ? Optional.empty()
                : model.map(m -> m.predict(encounter, findings));
        List<ImagingRead> reads = imaging.map(m -> m.read(encounter)).orElse(List.of());

        List<TriageFloor> floors = new ArrayList<>();
        List<Disposition> dispositions = new ArrayList<>();
        for (RedFlag f : redFlags) {
            floors.add(new TriageFloor("red-flag:" + f.code(), f.floor(),
                    "red flag: " + f.description() + " (" + String.join(", ", f.evidence()) + ")"));
            f.disposition().ifPresent(dispositions::add);
        }
        news2Floor(news2).ifPresent(floors::add);
        floors.addAll(paediatric.floors());
        questionnaires.forEach(q -> Questionnaires.floor(q).ifPresent(floors::add));
        painFloor(encounter).ifPresent(floors::add);
        incompleteDataFloor(encounter, news2, oximetryIndicated(encounter)).ifPresent(floors::add);
        reads.forEach(r -> r.floor().ifPresent(floors::add));

        TriageDecision decision = TriageFusion.fuse(floors, opinion, dispositions);
        List<String> reviewReasons = new ArrayList<>(reviewReasons(encounter, news2, paediatric, redFlags));
        reads.stream().filter(r -> r.floor().isPresent())
                .forEach(r -> reviewReasons.add(r.summary() + ": a clinician should confirm it on the image"));
        reads.forEach(r -> r.reviewReason().ifPresent(reviewReasons::add));
        if (insufficient) {
            reviewReasons.add("too little information to triage: no vital signs, no chief complaint and no"
                    + " questionnaire were given");
        }
        degraded.forEach(d -> reviewReasons.add("degraded: " + d + "; the rules alone decided"));
        if (encounter.chestXray().isPresent() && imaging.isEmpty()) {
            reviewReasons.add("a chest X-ray was sent but no imaging model is served: it was not read");
        }
        List<String> explanation = new ArrayList<>(explanation(decision, opinion, news2, questionnaires, missing));
        reads.stream().filter(r -> r.floor().isEmpty()).forEach(r -> explanation.add(capitalise(r.summary()) + "."));
        return new TriageResult(encounter.encounterId(), decision,
                opinion.map(ModelOpinion::levelProbabilities).orElse(List.of()), news2, paediatric, redFlags,
                questionnaires, explanation,
                !reviewReasons.isEmpty(), reviewReasons, missing, versions, degraded);
    }

    /**
     * Nothing to triage on: no vital sign, no complaint, no pain score, no questionnaire and no structured
     * answer (age, sex or an image alone are not enough).
     */
    static boolean insufficient(Encounter encounter) {
        var interview = encounter.interview();
        return encounter.vitals().empty() && interview.chiefComplaint().isBlank() && interview.painScore().isEmpty()
                && interview.phq9().isEmpty() && interview.gad7().isEmpty() && interview.answers().isEmpty();
    }

    static Optional<TriageFloor> news2Floor(News2Score news2) {
        if (!news2.applicable()) {
            return Optional.empty();
        }
        boolean unresponsive = news2.parameter(News2Parameter.CONSCIOUSNESS)
                .filter(p -> p.value().equals("unresponsive")).isPresent();
        if (unresponsive) {
            return Optional.of(new TriageFloor("news2:unresponsive", TriageLevel.RESUSCITATION,
                    "unresponsive on ACVPU"));
        }
        String summary = news2Summary(news2);
        return switch (news2.band()) {
            case HIGH -> Optional.of(new TriageFloor("news2", TriageLevel.EMERGENT, summary));
            case MEDIUM -> Optional.of(new TriageFloor("news2", TriageLevel.URGENT, summary));
            case LOW_MEDIUM -> Optional.of(new TriageFloor("news2:single-parameter", TriageLevel.URGENT,
                    summary + "; a single parameter scored 3: " + threes(news2)));
            case LOW -> news2.total() > 0
                    ? Optional.of(new TriageFloor("news2", TriageLevel.LESS_URGENT, summary))
                    : Optional.empty();
        };
    }

    static Optional<TriageFloor> painFloor(Encounter encounter) {
        if (encounter.interview().painScore().isEmpty()) {
            return Optional.empty();
        }
        int pain = encounter.interview().painScore().getAsInt();
        if (pain >= 8) {
            return Optional.of(new TriageFloor("pain", TriageLevel.URGENT, "severe pain, " + pain + "/10"));
        }
        if (pain >= 4) {
            return Optional.of(new TriageFloor("pain", TriageLevel.LESS_URGENT, "moderate pain, " + pain + "/10"));
        }
        return Optional.empty();
    }

    /** The vital signs a full set of observations has, in NEWS2 chart order, with their request fields. */
    private enum Observation {
        RESPIRATORY_RATE("vitals.respiratory_rate", "respiratory rate", true, v -> v.respiratoryRate().isPresent()),
        SPO2("vitals.spo2", "SpO2", true, v -> v.spo2().isPresent()),
        SUPPLEMENTAL_OXYGEN("vitals.supplemental_oxygen", "air or oxygen", false, v -> v.supplementalOxygen().isPresent()),
        SYSTOLIC_BP("vitals.systolic_bp", "systolic blood pressure", true, v -> v.systolicBp().isPresent()),
        HEART_RATE("vitals.heart_rate", "heart rate", true, v -> v.heartRate().isPresent()),
        CONSCIOUSNESS("vitals.consciousness", "consciousness", true, v -> v.consciousness().isPresent()),
        TEMPERATURE("vitals.temperature_c", "temperature", true, v -> v.temperatureC().isPresent());

        final String field;
        final String words;
        /** Part of a child's full set too (the paediatric limits do not score oxygen use). */
        final boolean child;
        final java.util.function.Predicate<VitalSigns> present;

        Observation(String field, String words, boolean child, java.util.function.Predicate<VitalSigns> present) {
            this.field = field;
            this.words = words;
            this.child = child;
            this.present = present;
        }
    }

    /** The complaint groups for which SpO2 is a first-order modifier: a breathing or chest complaint. */
    private static final Set<String> OXIMETRY_COMPLAINTS = Set.of("dyspnea", "chest-pain");

    /** True when the chief complaint has a current (not negated, not past) breathing or chest finding. */
    private boolean oximetryIndicated(Encounter encounter) {
        Set<String> groups = ComplaintLexicon.standard().read(rules.currentWords(encounter.interview().chiefComplaint()))
                .concepts();
        for (String g : groups) {
            if (OXIMETRY_COMPLAINTS.contains(g)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Self-care needs a full set of observations; LESS_URGENT (a routine consultation) at least when one is
     * missing.
     *
     * @param oximetryIndicated the complaint has a current breathing or chest finding
     */
    static Optional<TriageFloor> incompleteDataFloor(Encounter encounter, News2Score news2, boolean oximetryIndicated) {
        List<String> absent = new ArrayList<>();
        if (encounter.patient().ageYears().isEmpty()) {
            absent.add("age");
        }
        boolean child = !news2.applicable() && encounter.patient().child();
        for (Observation o : Observation.values()) {
            if ((o.child || !child) && !o.present.test(encounter.vitals())) {
                absent.add(o.words);
            }
        }
        if (absent.isEmpty() || oximetryWaivable(absent, news2, child, oximetryIndicated)) {
            return Optional.empty();
        }
        return Optional.of(new TriageFloor("incomplete-data", TriageLevel.LESS_URGENT,
                "self-care is only advised after a full set of observations; not given: " + String.join(", ", absent)));
    }

    /**
     * Whether self-care may be advised without SpO2 and oxygen use, when they are all that is missing.
     *
     * <p>The safety case: CTAS and KTAS (built on CTAS) use
     * SpO2 as a first-order modifier for respiratory presentations (respiratory distress), not as a
     * measurement every level-5 visit needs (Bullard et al., "Revisions to the Canadian Emergency
     * Department Triage and Acuity Scale (CTAS) Guidelines 2016", CJEM 2017; Moon et al., PLoS ONE
     * 2019 for KTAS); telephone and virtual triage advise self-care with no oximeter at all. What stands
     * in for it here: the respiratory rate, the earliest and most sensitive sign of respiratory
     * compromise (Royal College of Physicians, NEWS2 report 2017, section 3), must have been measured
     * and score 0 (12-20 /min); every other observation must be present, and any abnormal one still
     * sets its NEWS2 floor; the complaint must name no current breathing or chest finding (the
     * complaint lexicon's dyspnea and chest-pain groups, read with their negation). Not waived for a
     * child, whose limits include SpO2 (APLS). What remains uncovered: hypoxaemia without tachypnoea
     * ("silent hypoxia") in a patient who does not complain of breathing; the answer still names SpO2
     * as missing.
     *
     * <p>Why it matters: without it no visit without an oximeter can be advised self-care, which on the
     * KTAS training site (no SpO2 recorded) floors every expert level-5 visit at level 4.
     */
    static boolean oximetryWaivable(List<String> absent, News2Score news2, boolean child, boolean oximetryIndicated) {
        if (child || oximetryIndicated || !news2.applicable()) {
            return false;
        }
        Set<String> waivable = Set.of(Observation.SPO2.words, Observation.SUPPLEMENTAL_OXYGEN.words);
        if (!waivable.containsAll(absent)) {
            return false;
        }
        return news2.parameter(News2Parameter.RESPIRATORY_RATE).filter(p -> p.points() == 0).isPresent();
    }

    private static List<String> missing(Encounter encounter) {
        List<String> missing = new ArrayList<>();
        if (encounter.patient().ageYears().isEmpty()) {
            missing.add("patient.age_years");
        }
        for (Observation o : Observation.values()) {
            if (!o.present.test(encounter.vitals())) {
                missing.add(o.field);
            }
        }
        if (encounter.interview().chiefComplaint().isBlank()) {
            missing.add("interview.chief_complaint");
        }
        if (encounter.interview().painScore().isEmpty()) {
            missing.add("interview.pain_score");
        }
        return missing;
    }

    private static List<String> reviewReasons(Encounter encounter, News2Score news2, PaediatricAssessment paediatric,
                                              List<RedFlag> redFlags) {
        List<String> reasons = new ArrayList<>();
        redFlags.forEach(f -> reasons.add("red flag: " + f.description()));
        if (news2.applicable() && news2.band() != News2Band.LOW) {
            reasons.add("NEWS2 " + bandWords(news2.band()) + " asks for a clinical review (RCP 2017, Chart 4)");
        }
        reasons.addAll(news2.notes());
        if (paediatric.floors().stream().anyMatch(f -> f.level().level() <= TriageLevel.URGENT.level())) {
            reasons.add("a child's vital signs are outside the limits for age");
        }
        if (encounter.patient().ageYears().isEmpty() && !encounter.vitals().empty()) {
            reasons.add("age not given: vital signs were scored on the adult NEWS2 chart");
        }
        return reasons;
    }

    private static List<String> explanation(TriageDecision decision, Optional<ModelOpinion> opinion, News2Score news2,
                                            List<QuestionnaireScore> questionnaires, List<String> missing) {
        List<String> lines = new ArrayList<>();
        TriageLevel level = decision.level();
        String head = "Level " + level.level() + " (" + level.words() + "): " + decision.disposition().advice() + ".";
        if (decision.decidedBy().equals(TriageFusion.DEFAULT_SOURCE)) {
            head += " No rule or score raised the urgency.";
        } else {
            head += " Set by " + decision.decidedBy() + ".";
        }
        lines.add(head);
        for (TriageFloor f : decision.floors()) {
            lines.add(capitalise(f.reason()) + " (floor " + f.level().words() + ").");
        }
        opinion.ifPresent(o -> {
            String verdict = o.source().equals(decision.decidedBy()) ? "this set the level, above every rule"
                    : "the rules set an equal or more urgent level, which the model cannot lower";
            lines.add("Model " + o.source() + " proposed level " + o.level().level() + " (" + o.level().words() + "): "
                    + verdict + (o.reasons().isEmpty() ? "." : "; " + String.join("; ", o.reasons()) + "."));
        });
        boolean news2Floor = decision.floors().stream().anyMatch(f -> f.source().startsWith("news2"));
        if (news2.applicable() && !news2.parameters().isEmpty() && !news2Floor) {
            lines.add(news2Summary(news2) + ".");
        }
        for (QuestionnaireScore q : questionnaires) {
            lines.add(q.instrument() + " total " + q.total() + " of " + q.maxTotal() + " ("
                    + q.severity().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ").");
        }
        if (!missing.isEmpty()) {
            lines.add("Not given: " + String.join(", ", missing) + ".");
        }
        return lines;
    }

    /** "NEWS2 4 (low): respiratory rate 22 /min scored 2, ...; not measured: temperature". */
    static String news2Summary(News2Score news2) {
        StringBuilder b = new StringBuilder(160).append("NEWS2 ").append(news2.total()).append(" (")
                .append(bandWords(news2.band())).append(')');
        int scored = 0;
        for (ParameterScore p : news2.parameters()) {
            if (p.points() > 0) {
                b.append(scored++ == 0 ? ": " : ", ").append(describe(p));
            }
        }
        if (scored == 0) {
            b.append(", every measured parameter normal");
        }
        if (!news2.complete()) {
            b.append("; not measured: ");
            for (int i = 0; i < news2.missing().size(); i++) {
                b.append(i == 0 ? "" : ", ").append(news2.missing().get(i).words());
            }
            b.append(" (the total is a lower bound)");
        }
        return b.toString();
    }

    private static String describe(ParameterScore p) {
        String unit = p.parameter().unit().isEmpty() ? "" : " " + p.parameter().unit();
        return p.parameter().words() + " " + p.value() + unit + " scored " + p.points();
    }

    private static String threes(News2Score news2) {
        return news2.parameters().stream().filter(p -> p.points() == 3)
                .map(p -> p.parameter().words()).collect(Collectors.joining(", "));
    }

    static String bandWords(News2Band band) {
        return band.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
