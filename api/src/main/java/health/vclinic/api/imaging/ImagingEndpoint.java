package health.vclinic.api.imaging;

import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.api.imaging.v1.Assessability;
import health.vclinic.api.imaging.v1.ImageAnalysis;
import health.vclinic.api.imaging.v1.NotAssessable;
import health.vclinic.api.imaging.v1.Saliency;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.datasets.imaging.ImageHeader;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.datasets.imaging.ImageStudy;
import health.vclinic.inference.imaging.Cancellation;
import health.vclinic.inference.imaging.CxrAnalyzer;
import health.vclinic.inference.imaging.CxrFinding;
import health.vclinic.inference.imaging.CxrModel;
import health.vclinic.inference.imaging.CxrTriageReader;
import health.vclinic.inference.imaging.DecodePool;
import health.vclinic.inference.imaging.DynamicBatcher;
import health.vclinic.models.ModelRepository;
import java.nio.file.Path;
import health.vclinic.api.server.ClinicId;
import java.util.Objects;

/**
 * The one code path from an imaging request to its analysis, shared by gRPC and HTTP: limits checked
 * from the header and decoding on the bounded {@link DecodePool}, then the batched model
 * ({@link CxrAnalyzer}, behind its chest film gate), then the wire message. Each request carries a
 * {@link Cancellation} that the transport cancels when the client goes away, so abandoned work is
 * dropped before a decoder or the model spends anything on it. Each clinic has its share of the decoders and
 * the model ({@link ImagingQuota}): over it, QUOTA_EXCEEDED. Holds no clinical logic. Thread safe.
 */
public final class ImagingEndpoint implements AutoCloseable {

    /** The request field that carries the image, as named in errors. */
    public static final String IMAGE_FIELD = "image";
    /** The label of an image the model did not read. */
    public static final String NOT_ASSESSABLE_LABEL = "not_assessable";

    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
            .preservingProtoFieldNames()
            .alwaysPrintFieldsWithNoPresence()
            .omittingInsignificantWhitespace();

    private final CxrAnalyzer analyzer;
    private final ImageLimits limits;
    private final DecodePool decoders;
    private volatile ImagingRecorder recorder = ImagingRecorder.NONE;
    private volatile ImagingQuota quota;

    /** Serves through {@code analyzer}, decoding on a default {@link DecodePool}; closing the endpoint closes both. */
    public ImagingEndpoint(CxrAnalyzer analyzer, ImageLimits limits) {
        this(analyzer, limits, new DecodePool(DecodePool.Config.defaults()));
    }

    /** Serves through {@code analyzer}, decoding on {@code decoders}; closing the endpoint closes both. */
    public ImagingEndpoint(CxrAnalyzer analyzer, ImageLimits limits, DecodePool decoders) {
        this.analyzer = Objects.requireNonNull(analyzer, "analyzer");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.decoders = Objects.requireNonNull(decoders, "decoders");
        this.quota = new ImagingQuota(ImagingQuota.Limits.halfOf(decoders.config(), limits));
    }

    /**
     * Loads the version of {@code cxr-pneumonia} the repository serves (the pinned one, else the
     * highest), verifying its artifacts' sha256, and starts its batcher.
     */
    public static ImagingEndpoint open(Path repositoryRoot, DynamicBatcher.Config batching, ImageLimits limits) {
        return open(repositoryRoot, batching, limits, DecodePool.Config.defaults());
    }

    /** As {@link #open(Path, DynamicBatcher.Config, ImageLimits)}, with the decode pool configured. */
    public static ImagingEndpoint open(Path repositoryRoot, DynamicBatcher.Config batching, ImageLimits limits,
                                       DecodePool.Config decoding) {
        CxrModel model = CxrModel.load(ModelRepository.open(repositoryRoot).resolve(CxrModel.NAME));
        return new ImagingEndpoint(CxrAnalyzer.start(model, batching), limits, new DecodePool(decoding));
    }

    /**
     * @param cancellation the caller's handle (its deadline, and cancelled when the client goes away)
     * @throws InvalidInputException naming the field and the reason
     * @throws health.vclinic.inference.imaging.BatchRejectedException when the request was not run
     *     (cancelled, past its deadline, decoders or model at capacity, shutting down)
     */
    public ImageAnalysis analyze(ClinicId clinic, AnalyzeRequest request, Cancellation cancellation) {
        if (request.getStudyId().length() > 128) {
            throw new InvalidInputException("study_id", "must be at most 128 characters");
        }
        if (!request.getPatientRef().isEmpty()) {
            new health.vclinic.api.server.PatientRef(request.getPatientRef());
        }
        byte[] image = request.getImage().toByteArray();
        // Costed from the header alone, as the decode pool costs it: a clinic over its share costs nothing more.
        long decodeCost = DecodePool.cost(ImageHeader.read(image, limits, IMAGE_FIELD), image.length);
        CxrFinding finding;
        ImageStudy study;
        try (ImagingQuota.Slot slot = quota.admit(clinic, decodeCost)) {
            study = decoders.decode(image, limits, request.getStudyId(), IMAGE_FIELD, cancellation);
            slot.decoded();
            finding = analyzer.analyze(study, !request.getSkipSaliency(), cancellation);
        }
        ImageAnalysis.Builder b = ImageAnalysis.newBuilder()
                .setStudyId(request.getStudyId())
                .setFinding(finding.finding())
                .setProbability(finding.probability())
                .setPositive(finding.positive())
                .setLabel(finding.notAssessable().isPresent() ? NOT_ASSESSABLE_LABEL
                        : finding.positive() ? finding.finding() : "normal")
                .setThreshold(finding.threshold())
                .setModelVersion(finding.modelId())
                .setWidth(study.width())
                .setHeight(study.height())
                .setAssessability(finding.assessable() ? Assessability.ASSESSABLE : Assessability.NOT_ASSESSABLE);
        finding.saliency().ifPresent(s -> b.setSaliency(Saliency.newBuilder().setMethod(s.method())
                .setOverlayPng(ByteString.copyFrom(s.overlayPng())).setSide(s.side())
                .setMaxLogitDrop(s.maxLogitDrop())));
        finding.notAssessable().ifPresent(n -> b.setNotAssessable(NotAssessable.newBuilder()
                .setReason(switch (n.reason()) {
                    case UNIFORM -> NotAssessable.Reason.UNIFORM;
                    case INVERTED -> NotAssessable.Reason.INVERTED;
                    case NOT_A_CHEST_FILM -> NotAssessable.Reason.NOT_A_CHEST_FILM;
                })
                .setExplanation(n.explanation()).setScore(n.score()).setThreshold(n.threshold())));
        ImageAnalysis analysis = b.build();
        recorder.record(clinic, request, analysis);
        return analysis;
    }

    /** Keeps every analysis this endpoint answers in {@code recorder} from now on. */
    public void recordingTo(ImagingRecorder recorder) {
        this.recorder = Objects.requireNonNull(recorder, "recorder");
    }

    /** Each clinic's share of the decoders and the model ({@link ImagingQuota}). */
    public ImagingQuota quota() {
        return quota;
    }

    /** Lets each clinic have {@code images} images in flight at once (default: half the decode queue). */
    public void limitEachClinicTo(int images) {
        quota = new ImagingQuota(new ImagingQuota.Limits(images, quota.limits().maxDecodeBytes()));
    }

    /** The decode pool (its counters show admission and dropped work). */
    public DecodePool decoders() {
        return decoders;
    }

    /**
     * {@code triage} with this endpoint's model reading the chest X-rays sent with triage requests,
     * through the same batches as {@code Analyze} and under the same per-clinic quota (costed from the
     * header, as {@code Analyze} costs an image).
     */
    public TriageEndpoint readingChestXrays(TriageEndpoint triage) {
        return new TriageEndpoint(triage.engine().withImaging(new CxrTriageReader(analyzer)), (clinic, image) -> {
            long cost;
            try {
                cost = DecodePool.cost(ImageHeader.read(image, limits, "chest_xray"), image.length);
            } catch (InvalidInputException notAnImage) {
                // Nothing will be decoded: the request's reader refuses it with every other invalid field.
                return () -> { };
            }
            return quota.admit(clinic, cost)::close;
        });
    }

    /** The analyzer behind this endpoint (the triage path and the benchmark use it too). */
    public CxrAnalyzer analyzer() {
        return analyzer;
    }

    public ImageLimits limits() {
        return limits;
    }

    /**
     * Parses an {@code AnalyzeRequest} in the proto3 JSON mapping ({@code image} as base64).
     *
     * @throws InvalidInputException when it does not parse
     */
    public static AnalyzeRequest parseJson(String json) {
        AnalyzeRequest.Builder b = AnalyzeRequest.newBuilder();
        try {
            if (!JsonParser.parseString(json).isJsonObject()) {
                throw new InvalidInputException("request", "must be one JSON object (an AnalyzeRequest)");
            }
            PARSER.merge(json, b);
        } catch (InvalidInputException e) {
            throw e;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new InvalidInputException("request", "must be an AnalyzeRequest in the proto3 JSON mapping, with"
                    + " the image as base64");
        }
        return b.build();
    }

    /** One line of JSON, snake_case keys, defaults included ({@code overlay_png} as base64). */
    public static String toJson(ImageAnalysis analysis) {
        try {
            return PRINTER.print(analysis);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("an analysis always prints", e);
        }
    }

    /** Stops the decoders and the batcher (answering what is queued) and closes the model. */
    @Override
    public void close() {
        decoders.close();
        analyzer.close();
    }
}
