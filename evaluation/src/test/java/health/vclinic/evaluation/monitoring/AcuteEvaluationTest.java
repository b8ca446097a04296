package health.vclinic.evaluation.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringEngine;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The acute tables on the training seeds, with the rule detectors only (no model needed). */
class AcuteEvaluationTest {

    @Test
    void nearestRankReportsAQuantileThatLandsOnAPatientNeverPagedAsNotReached() {
        List<Double> minutes = List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, Double.POSITIVE_INFINITY);
        assertEquals(5.0, AcuteEvaluation.nearestRank(minutes, 0.5));
        assertEquals(9.0, AcuteEvaluation.nearestRank(minutes, 0.9));
        assertEquals(Double.POSITIVE_INFINITY, AcuteEvaluation.nearestRank(minutes, 0.95));
    }

    @Test
    void theServicePagesEveryAcutePatientAndFarFewerStableOnesThanRawNews2() {
        MonitoringConfig config = MonitoringConfig.defaults();
        JsonNode t = AcuteEvaluation.run(AcuteEvaluation.methods(config,
                MonitoringEngine.standardDetectors(config, Optional.empty(), Optional.empty())), AcuteEvaluation.TRAINING_SEEDS);
        for (JsonNode r : t.get("time_to_page")) {
            if (r.get("method").asText().equals("vclinic") && r.get("interval_seconds").asInt() == 60) {
                assertEquals(r.get("patients").asInt(), r.get("paged").asInt(), r.toString());
                assertTrue(r.get("p90_minutes").asDouble() <= 5, r.toString());
                assertEquals(0, r.get("pages_before_onset").asInt(), r.toString());
            }
        }
        for (int i = 0; i < t.get("stable").size(); i += 3) {
            JsonNode ours = t.get("stable").get(i);
            JsonNode news2At7 = t.get("stable").get(i + 2);
            assertEquals("news2_7", news2At7.get("method").asText());
            assertTrue(ours.get("pages").asInt() * 5 <= news2At7.get("pages").asInt(), ours + " vs " + news2At7);
        }
    }
}
