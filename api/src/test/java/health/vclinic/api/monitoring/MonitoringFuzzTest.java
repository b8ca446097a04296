package health.vclinic.api.monitoring;

import health.vclinic.api.TestSecurity;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.datasets.InvalidInputException;
import health.vclinic.inference.monitoring.MonitoringEngine;
import health.vclinic.models.ProjectRoot;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Fuzzing the monitoring stream's input: any sequence of length-delimited {@code VitalSample} messages is
 * either refused sample by sample as invalid (the stream answers INVALID_ARGUMENT naming the field) or
 * accepted by the engine the server runs, which never throws. {@code ./vclinic test} replays the corpus.
 */
class MonitoringFuzzTest {

    private static final MonitoringEndpoint ENDPOINT = MonitoringEndpoint.standard(ProjectRoot.path());

    @FuzzTest(maxDuration = "60s")
    void everySampleSequenceIsRefusedAsInvalidOrAcceptedWithoutAnError(byte[] stream) throws IOException {
        MonitoringEngine engine = ENDPOINT.engine(health.vclinic.api.server.ClinicId.DEFAULT);
        ByteArrayInputStream in = new ByteArrayInputStream(stream);
        for (int n = 0; n < 256; n++) {
            VitalSample sample;
            try {
                sample = VitalSample.parseDelimitedFrom(in);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                return; // the transport refuses a message that does not parse
            }
            if (sample == null) {
                return;
            }
            health.vclinic.datasets.monitoring.VitalSample domain;
            try {
                domain = MonitoringMapper.toDomain(sample);
            } catch (InvalidInputException e) {
                assertTrue(!e.violations().isEmpty());
                continue;
            }
            MonitoringEngine.Outcome outcome = engine.accept(domain);
            assertTrue(outcome.disposition() != null);
        }
    }
}
