package health.vclinic.evaluation.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A proportion with its Wilson score 95% interval (Wilson, JASA 1927): sound at small counts and near 0 or 1. */
final class Proportions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Proportions() {
    }

    static ObjectNode of(long successes, long n) {
        ObjectNode o = JSON.createObjectNode();
        double p = n == 0 ? Double.NaN : (double) successes / n;
        double z = 1.959964;
        double denominator = 1 + z * z / n;
        double centre = (p + z * z / (2.0 * n)) / denominator;
        double half = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
        o.put("value", p).put("ci_low", centre - half).put("ci_high", centre + half).put("count", successes).put("n", n);
        return o;
    }
}
