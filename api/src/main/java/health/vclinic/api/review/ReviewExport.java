package health.vclinic.api.review;

import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.RedFlag;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.reviews.AgeBand;
import health.vclinic.datasets.reviews.ReviewExportFile;
import health.vclinic.datasets.reviews.ReviewedCase;
import health.vclinic.inference.OnnxTriageModel;
import health.vclinic.inference.TriageModelSpec;
import health.vclinic.inference.features.TriageFeatures;
import health.vclinic.inference.redflags.RedFlagRules;
import health.vclinic.models.ModelRepository;
import health.vclinic.models.ResolvedModel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The retraining export: each reviewed assessment (its latest review since a day) de-identified as a
 * {@link ReviewedCase} into a {@link ReviewExportFile}, and a record of the export (who, when, what, its
 * sha256) in the database. The chief complaint leaves only as the terms of the served model's vocabulary and
 * the lexicon's complaint groups, read by the model's own feature extractor ({@link TriageFeatures#read}),
 * so a name, a place or any other word the model does not know stays behind.
 */
public final class ReviewExport {

    /** What an export wrote. */
    public record Result(Path file, int cases, String sha256, String vocabularyOf) {
    }

    private final ReviewStore store;
    private final Clock clock;

    public ReviewExport(ReviewStore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Exports and records the export.
     *
     * @param projectRoot where {@code models/repository} is: the served {@code triage-acuity}'s vocabulary
     *     decides which complaint terms may leave
     * @param clinics the clinics to export; empty for all
     * @param exportedBy who runs it, kept in the file's header and in the database with role data-scientist
     * @throws IllegalStateException when there is no triage model to take the vocabulary from
     */
    public Result export(Path projectRoot, LocalDate since, Set<ClinicId> clinics, String exportedBy, Path out) {
        ResolvedModel model;
        try {
            model = ModelRepository.open(projectRoot.resolve(ModelRepository.DEFAULT_RELATIVE_ROOT))
                    .resolve(OnnxTriageModel.TASK);
        } catch (RuntimeException e) {
            throw new IllegalStateException("no " + OnnxTriageModel.TASK + " model to take the complaint vocabulary"
                    + " from (" + e.getMessage() + "); the export keeps only the words a served model reads", e);
        }
        TriageModelSpec spec = TriageModelSpec.fromCard(model.card().json());
        TriageFeatures features = TriageFeatures.create(spec.featureVersion(), spec.vocabulary(), RedFlagRules.standard());
        Set<String> vocabulary = Set.copyOf(spec.vocabulary().terms());
        List<ReviewedCase> cases = new ArrayList<>();
        Set<String> versions = new TreeSet<>();
        Set<String> seenClinics = new TreeSet<>();
        for (ReviewedAssessment a : store.latestReviews(since, clinics)) {
            cases.add(deidentify(a, features, vocabulary));
            a.result().getModelVersionsMap().forEach((name, version) -> versions.add(name + "=" + version));
            seenClinics.add(a.clinic().value());
        }
        List<String> clinicList = clinics.isEmpty() ? List.copyOf(seenClinics)
                : clinics.stream().map(ClinicId::value).sorted().toList();
        ReviewExportFile.Header header = new ReviewExportFile.Header(cases.size(), clock.instant(), exportedBy, since,
                clinicList, List.copyOf(versions), model.id());
        String sha256 = ReviewExportFile.write(out, header, cases);
        store.recordExport(exportedBy, Role.DATA_SCIENTIST, since,
                clinicList.stream().map(ClinicId::new).collect(java.util.stream.Collectors.toSet()), cases.size(), sha256);
        return new Result(out, cases.size(), sha256, model.id());
    }

    static ReviewedCase deidentify(ReviewedAssessment a, TriageFeatures features, Set<String> vocabulary) {
        Encounter e = TriageEndpoint.encounter(a.request());
        TriageFeatures.ComplaintReading read = features.read(e.interview().chiefComplaint());
        Review r = a.review();
        return new ReviewedCase(YearMonth.from(r.reviewedAt().atOffset(ZoneOffset.UTC)), r.source(), r.action(),
                r.levelBefore(), r.clinicianLevel(), r.reason(), a.result().getDecidedBy(),
                new java.util.TreeMap<>(a.result().getModelVersionsMap()), a.result().getDegraded(),
                e.patient().ageYears().isPresent() ? java.util.Optional.of(AgeBand.of(e.patient().ageYears().getAsDouble()))
                        : java.util.Optional.empty(),
                e.patient().sex(), e.vitals(), e.interview().painScore(), e.interview().injury(),
                read.terms().stream().filter(vocabulary::contains).sorted().toList(),
                read.concepts().stream().sorted().toList(),
                a.result().getRedFlagsList().stream().map(RedFlag::getCode).sorted().toList());
    }
}
