package health.vclinic.evaluation.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.inference.metrics.WilsonInterval;

/** A proportion with its Wilson score 95% interval ({@link WilsonInterval}), as the reports write it. */
final class Proportions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Proportions() {
    }

    static ObjectNode of(long successes, long n) {
        WilsonInterval w = WilsonInterval.of(successes, n);
        return JSON.createObjectNode().put("value", w.proportion()).put("ci_low", w.low()).put("ci_high", w.high())
                .put("count", successes).put("n", n);
    }
}
