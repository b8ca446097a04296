package health.vclinic.api.triage;

import health.vclinic.api.server.JsonErrors;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.security.Caller;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import health.vclinic.api.json.ProtoJsonFaults;
import health.vclinic.api.json.StrictJson;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.datasets.Encounter;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.inference.TriageEngine;
import health.vclinic.inference.TriageResult;
import java.util.Optional;

/**
 * The one code path from a request to an assessment, shared by gRPC, HTTP JSON and the
 * {@code assess} command, so that they cannot disagree.
 */
public final class TriageEndpoint {

    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
            .preservingProtoFieldNames()
            .alwaysPrintFieldsWithNoPresence()
            .omittingInsignificantWhitespace();

    private final TriageEngine engine;
    private final TriageRecorder recorder;
    private final ImageAdmission images;

    public TriageEndpoint(TriageEngine engine) {
        this(engine, TriageRecorder.NONE, ImageAdmission.NONE);
    }

    /** The endpoint over {@code engine}, admitting the chest X-rays of its requests through {@code images}. */
    public TriageEndpoint(TriageEngine engine, ImageAdmission images) {
        this(engine, TriageRecorder.NONE, images);
    }

    private TriageEndpoint(TriageEngine engine, TriageRecorder recorder, ImageAdmission images) {
        this.images = java.util.Objects.requireNonNull(images, "images");
        this.engine = engine;
        this.recorder = recorder;
    }

    /** This endpoint, keeping every assessment it answers in {@code recorder} before answering. */
    public TriageEndpoint recordingTo(TriageRecorder recorder) {
        return new TriageEndpoint(engine, java.util.Objects.requireNonNull(recorder, "recorder"), images);
    }

    /** The engine behind this endpoint (for entry points that map their own wire format, like FHIR). */
    public TriageEngine engine() {
        return engine;
    }

    /** The endpoint over the engine with the rules shipped with the service. */
    public static TriageEndpoint standard() {
        return new TriageEndpoint(TriageEngine.standard());
    }

    /**
     * Assesses {@code request} for {@code caller}, whose clinic the record keeps it under.
     *
     * @throws InvalidInputException when a field is outside its allowed range
     */
    public TriageAssessment assess(Caller caller, TriageRequest request) {
        long start = System.nanoTime();
        if (!request.getPatientRef().isEmpty()) {
            new PatientRef(request.getPatientRef());
        }
        TriageAssessment assessment;
        if (request.getChestXray().isEmpty()) {
            assessment = TriageMapper.toProto(engine.assess(TriageMapper.toEncounter(request)));
        } else {
            try (ImageAdmission.Admitted admitted = images.admit(caller.clinic(), request.getChestXray().toByteArray())) {
                assessment = TriageMapper.toProto(engine.assess(TriageMapper.toEncounter(request)));
            }
        }
        if (recorder == TriageRecorder.NONE) {
            return assessment;
        }
        TriageRecorder.Receipt receipt = recorder.record(caller, request, assessment, System.nanoTime() - start);
        TriageAssessment.Builder b = assessment.toBuilder().setRecorded(receipt.recorded());
        receipt.recordId().ifPresent(b::setRecordId);
        return b.build();
    }

    /**
     * The encounter the engine assesses for a request, as a request would be read (without its chest X-ray,
     * which the callers of this method do not read).
     *
     * @throws InvalidInputException when the request breaks a domain rule
     */
    public static Encounter encounter(TriageRequest request) {
        return TriageMapper.toEncounter(request.toBuilder().clearChestXray().build());
    }

    /**
     * An assessment made through another wire format (FHIR {@code $triage}, CDS Hooks) in the form the
     * record keeps for every assessment: the request the encounter stands for, and the answer.
     */
    public static Recorded recorded(Encounter encounter, Optional<PatientRef> patient, TriageResult result) {
        return new Recorded(TriageMapper.toRequest(encounter, patient.map(PatientRef::value)),
                TriageMapper.toProto(result));
    }

    /** A request and its answer, as {@link TriageRecorder} receives them. */
    public record Recorded(TriageRequest request, TriageAssessment assessment) {
        public Recorded {
            java.util.Objects.requireNonNull(request, "request");
            java.util.Objects.requireNonNull(assessment, "assessment");
        }
    }

    /**
     * Parses one request in the proto3 JSON mapping (snake_case or lowerCamelCase keys). Unknown fields
     * are an error, so a misspelt vital sign is never silently ignored. {@link StrictJson} looks first
     * (numbers bounded, duplicate keys refused); a value of the wrong type is named by its field path.
     *
     * @throws InvalidInputException when the JSON does not parse as a TriageRequest
     */
    public static TriageRequest parseJson(String json) {
        StrictJson.check(json, StrictJson.Paths.JSON);
        ProtoJsonFaults.requireNoArraysForSingleValues(json, TriageRequest.getDescriptor());
        TriageRequest.Builder b = TriageRequest.newBuilder();
        try {
            // JsonFormat stops after the first value; anything after it must not be silently dropped.
            if (!JsonParser.parseString(json).isJsonObject()) {
                throw new InvalidInputException("request", "must be one JSON object (a TriageRequest)");
            }
            PARSER.merge(json, b);
        } catch (InvalidInputException e) {
            throw e;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw ProtoJsonFaults.locate(json, TriageRequest.getDescriptor()).orElseGet(() -> new InvalidInputException(
                    "request", "must be a TriageRequest in the proto3 JSON mapping: " + JsonErrors.describe(e)));
        }
        return b.build();
    }

    /** One line of JSON with snake_case keys and every field, defaults included. */
    public static String toJson(TriageAssessment assessment) {
        try {
            return PRINTER.print(assessment);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("an assessment always prints", e);
        }
    }
}
