package health.vclinic.api.triage;

import health.vclinic.api.triage.v1.Acuity;
import health.vclinic.api.triage.v1.Floor;
import health.vclinic.api.triage.v1.LevelProbability;
import health.vclinic.api.triage.v1.News2;
import health.vclinic.api.triage.v1.News2Band;
import health.vclinic.api.triage.v1.PaediatricVitals;
import health.vclinic.api.triage.v1.QuestionnaireResult;
import health.vclinic.api.triage.v1.RedFlag;
import health.vclinic.api.triage.v1.Spo2Scale;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.datasets.Consciousness;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.Interview;
import health.vclinic.datasets.Patient;
import health.vclinic.datasets.Sex;
import health.vclinic.datasets.VitalSigns;
import health.vclinic.datasets.imaging.ImageDecoder;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.datasets.imaging.ImageStudy;
import health.vclinic.inference.TriageFloor;
import health.vclinic.inference.TriageLevel;
import health.vclinic.inference.TriageResult;
import health.vclinic.inference.VitalCheck;
import health.vclinic.inference.news2.News2Parameter;
import health.vclinic.inference.news2.News2Score;
import health.vclinic.inference.news2.ParameterScore;
import health.vclinic.inference.QuestionnaireScore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Maps the wire contract to domain records and back. Holds no clinical logic: every decision is made
 * by the inference engine.
 */
final class TriageMapper {

    private TriageMapper() {
    }

    /**
     * Builds the encounter, reporting every invalid field of the request at once.
     *
     * @throws InvalidInputException naming each bad field and its allowed range
     */
    static Encounter toEncounter(TriageRequest request) {
        List<InvalidInputException.Violation> violations = new ArrayList<>();
        Patient patient = collect(violations, () -> patient(request.getPatient(), violations));
        VitalSigns vitals = collect(violations, () -> vitals(request.getVitals(), violations));
        Interview interview = collect(violations, () -> interview(request.getInterview()));
        Optional<ImageStudy> chestXray = request.getChestXray().isEmpty() ? Optional.empty()
                : Optional.ofNullable(collect(violations, () -> ImageDecoder.decode(
                        request.getChestXray().toByteArray(), ImageLimits.DEFAULT, "", "chest_xray")));
        if (request.getEncounterId().length() > 128) {
            violations.add(new InvalidInputException.Violation("encounter_id", "must be at most 128 characters"));
        }
        if (!violations.isEmpty()) {
            throw new InvalidInputException(violations);
        }
        return new Encounter(request.getEncounterId(), patient, vitals, interview, chestXray);
    }

    /**
     * The request an encounter read from another wire format (FHIR, CDS Hooks) stands for, so that the
     * record keeps every assessment in one form. The inverse of {@link #toEncounter} but for the chest
     * X-ray, which those formats do not carry.
     */
    static TriageRequest toRequest(Encounter e, Optional<String> patientRef) {
        health.vclinic.api.triage.v1.Patient.Builder p = health.vclinic.api.triage.v1.Patient.newBuilder()
                .setSex(switch (e.patient().sex()) {
                    case FEMALE -> health.vclinic.api.triage.v1.Sex.FEMALE;
                    case MALE -> health.vclinic.api.triage.v1.Sex.MALE;
                    case OTHER -> health.vclinic.api.triage.v1.Sex.OTHER;
                    case UNKNOWN -> health.vclinic.api.triage.v1.Sex.UNKNOWN;
                });
        e.patient().ageYears().ifPresent(p::setAgeYears);
        e.patient().pregnant().ifPresent(p::setPregnant);
        VitalSigns v = e.vitals();
        health.vclinic.api.triage.v1.VitalSigns.Builder w = health.vclinic.api.triage.v1.VitalSigns.newBuilder();
        v.heartRate().ifPresent(w::setHeartRate);
        v.respiratoryRate().ifPresent(w::setRespiratoryRate);
        v.systolicBp().ifPresent(w::setSystolicBp);
        v.diastolicBp().ifPresent(w::setDiastolicBp);
        v.temperatureC().ifPresent(w::setTemperatureC);
        v.spo2().ifPresent(w::setSpo2);
        v.supplementalOxygen().ifPresent(w::setSupplementalOxygen);
        v.hypercapnicRespiratoryFailure().ifPresent(w::setHypercapnicRespiratoryFailure);
        v.consciousness().ifPresent(c -> w.setConsciousness(switch (c) {
            case ALERT -> health.vclinic.api.triage.v1.Consciousness.ALERT;
            case NEW_CONFUSION -> health.vclinic.api.triage.v1.Consciousness.NEW_CONFUSION;
            case VOICE -> health.vclinic.api.triage.v1.Consciousness.VOICE;
            case PAIN -> health.vclinic.api.triage.v1.Consciousness.PAIN;
            case UNRESPONSIVE -> health.vclinic.api.triage.v1.Consciousness.UNRESPONSIVE;
        }));
        Interview i = e.interview();
        health.vclinic.api.triage.v1.Interview.Builder q = health.vclinic.api.triage.v1.Interview.newBuilder()
                .setChiefComplaint(i.chiefComplaint()).addAllPhq9(i.phq9()).addAllGad7(i.gad7())
                .putAllAnswers(i.answers());
        i.painScore().ifPresent(q::setPainScore);
        i.symptomOnsetHours().ifPresent(q::setSymptomOnsetHours);
        TriageRequest.Builder r = TriageRequest.newBuilder().setEncounterId(e.encounterId()).setPatient(p)
                .setVitals(w).setInterview(q);
        patientRef.ifPresent(r::setPatientRef);
        return r.build();
    }

    private static <T> T collect(List<InvalidInputException.Violation> violations, Supplier<T> build) {
        try {
            return build.get();
        } catch (InvalidInputException e) {
            violations.addAll(e.violations());
            return null;
        }
    }

    private static Patient patient(health.vclinic.api.triage.v1.Patient p,
                                   List<InvalidInputException.Violation> violations) {
        Sex sex = switch (p.getSex()) {
            case FEMALE -> Sex.FEMALE;
            case MALE -> Sex.MALE;
            case OTHER -> Sex.OTHER;
            case UNKNOWN, SEX_UNSPECIFIED -> Sex.UNKNOWN;
            case UNRECOGNIZED -> {
                violations.add(new InvalidInputException.Violation("patient.sex",
                        "must be one of FEMALE, MALE, OTHER, UNKNOWN"));
                yield Sex.UNKNOWN;
            }
        };
        return new Patient(p.hasAgeYears() ? OptionalDouble.of(p.getAgeYears()) : OptionalDouble.empty(), sex,
                p.hasPregnant() ? Optional.of(p.getPregnant()) : Optional.empty());
    }

    private static VitalSigns vitals(health.vclinic.api.triage.v1.VitalSigns v,
                                     List<InvalidInputException.Violation> violations) {
        Optional<Consciousness> consciousness = switch (v.getConsciousness()) {
            case ALERT -> Optional.of(Consciousness.ALERT);
            case NEW_CONFUSION -> Optional.of(Consciousness.NEW_CONFUSION);
            case VOICE -> Optional.of(Consciousness.VOICE);
            case PAIN -> Optional.of(Consciousness.PAIN);
            case UNRESPONSIVE -> Optional.of(Consciousness.UNRESPONSIVE);
            case CONSCIOUSNESS_UNSPECIFIED -> Optional.empty();
            case UNRECOGNIZED -> {
                violations.add(new InvalidInputException.Violation("vitals.consciousness",
                        "must be one of ALERT, NEW_CONFUSION, VOICE, PAIN, UNRESPONSIVE"));
                yield Optional.empty();
            }
        };
        return new VitalSigns(
                v.hasHeartRate() ? OptionalDouble.of(v.getHeartRate()) : OptionalDouble.empty(),
                v.hasRespiratoryRate() ? OptionalDouble.of(v.getRespiratoryRate()) : OptionalDouble.empty(),
                v.hasSystolicBp() ? OptionalDouble.of(v.getSystolicBp()) : OptionalDouble.empty(),
                v.hasDiastolicBp() ? OptionalDouble.of(v.getDiastolicBp()) : OptionalDouble.empty(),
                v.hasTemperatureC() ? OptionalDouble.of(v.getTemperatureC()) : OptionalDouble.empty(),
                v.hasSpo2() ? OptionalDouble.of(v.getSpo2()) : OptionalDouble.empty(),
                v.hasSupplementalOxygen() ? Optional.of(v.getSupplementalOxygen()) : Optional.empty(),
                consciousness,
                v.hasHypercapnicRespiratoryFailure()
                        ? Optional.of(v.getHypercapnicRespiratoryFailure()) : Optional.empty());
    }

    private static Interview interview(health.vclinic.api.triage.v1.Interview i) {
        return new Interview(i.getChiefComplaint(),
                i.hasPainScore() ? OptionalInt.of(i.getPainScore()) : OptionalInt.empty(),
                i.hasSymptomOnsetHours() ? OptionalDouble.of(i.getSymptomOnsetHours()) : OptionalDouble.empty(),
                i.getPhq9List(), i.getGad7List(), i.getAnswersMap());
    }

    static TriageAssessment toProto(TriageResult r) {
        TriageLevel level = r.level();
        TriageAssessment.Builder b = TriageAssessment.newBuilder()
                .setEncounterId(r.encounterId())
                .setLevel(level.level())
                .setAcuity(acuity(level))
                .setDisposition(health.vclinic.api.triage.v1.Disposition.valueOf(r.decision().disposition().name()))
                .setNews2(news2(r.news2()))
                .addAllExplanation(r.explanation())
                .setDecidedBy(r.decision().decidedBy())
                .setNeedsClinicianReview(r.needsClinicianReview())
                .setDegraded(!r.degraded().isEmpty())
                .addAllReviewReasons(r.reviewReasons())
                .addAllMissing(r.missing())
                .putAllModelVersions(r.versions())
                .setPaediatric(paediatric(r));
        for (int i = 0; i < r.levelProbabilities().size(); i++) {
            TriageLevel l = TriageLevel.of(i + 1);
            b.addLevelProbabilities(LevelProbability.newBuilder().setLevel(l.level()).setAcuity(acuity(l))
                    .setProbability(r.levelProbabilities().get(i)));
        }
        for (health.vclinic.inference.redflags.RedFlag f : r.redFlags()) {
            b.addRedFlags(RedFlag.newBuilder().setCode(f.code()).setDescription(f.description())
                    .addAllEvidence(f.evidence()).setFloorLevel(f.floor().level()).setFloorAcuity(acuity(f.floor()))
                    .setSource(f.source()));
        }
        for (QuestionnaireScore q : r.questionnaires()) {
            b.addQuestionnaires(QuestionnaireResult.newBuilder().setInstrument(q.instrument()).setTotal(q.total())
                    .setMaxTotal(q.maxTotal())
                    .setSeverity(health.vclinic.api.triage.v1.Severity.valueOf(q.severity().name()))
                    .setSource(q.source()));
        }
        for (TriageFloor f : r.decision().floors()) {
            b.addFloors(Floor.newBuilder().setSource(f.source()).setLevel(f.level().level())
                    .setAcuity(acuity(f.level())));
        }
        return b.build();
    }

    static Acuity acuity(TriageLevel level) {
        return Acuity.valueOf(level.name());
    }

    private static News2 news2(News2Score s) {
        News2.Builder b = News2.newBuilder()
                .setApplicable(s.applicable())
                .setSpo2Scale(s.scale() == health.vclinic.inference.news2.SpO2Scale.SCALE_2
                        ? Spo2Scale.SCALE_2 : Spo2Scale.SCALE_1)
                .setComplete(s.complete());
        b.addAllNotes(s.notes());
        if (!s.applicable()) {
            return b.build();
        }
        b.setTotal(s.total()).setBand(News2Band.valueOf(s.band().name()));
        for (ParameterScore p : s.parameters()) {
            b.addParameters(health.vclinic.api.triage.v1.News2Parameter.newBuilder()
                    .setParameter(p.parameter().id()).setValue(p.value()).setPoints(p.points()));
        }
        s.missing().stream().map(News2Parameter::id).forEach(b::addMissingParameters);
        return b.build();
    }

    private static PaediatricVitals paediatric(TriageResult r) {
        PaediatricVitals.Builder b = PaediatricVitals.newBuilder().setApplicable(r.paediatric().applicable());
        if (!r.paediatric().applicable()) {
            return b.build();
        }
        b.setAgeBand(r.paediatric().ageBand()).setSource(r.paediatric().source());
        for (VitalCheck c : r.paediatric().checks()) {
            b.addChecks(health.vclinic.api.triage.v1.VitalCheck.newBuilder().setParameter(c.parameter())
                    .setValue(c.value()).setNormalLow(c.normalLow()).setNormalHigh(c.normalHigh())
                    .setWithinNormal(c.withinNormal()));
        }
        return b.build();
    }
}
