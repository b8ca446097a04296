package health.vclinic.training;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import health.vclinic.inference.CumulativeThresholds;
import health.vclinic.inference.TriageFloor;
import health.vclinic.inference.TriageResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much over-triage each kind of rule floor causes on the training site, with the selected model's
 * out-of-fold levels: for each floor kind (incomplete data, pain, NEWS2, red flags, paediatric,
 * questionnaires, imaging), the visits where that floor alone set an over-triaged level (the model and
 * every other floor were less urgent), and the visits where the floor itself is more urgent than the
 * expert's level whatever else applies. A floor that over-triages with no safety case to answer is a
 * bug; the report sets these counts beside each floor's source.
 */
final class FloorAudit {

    private FloorAudit() {
    }

    static String kind(String source) {
        int colon = source.indexOf(':');
        return colon < 0 ? source : source.substring(0, colon);
    }

    static ObjectNode audit(int[] expert, double[][] calibrated, CumulativeThresholds thresholds,
                            List<TriageResult> ruled) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (String k : List.of("incomplete-data", "pain", "news2", "red-flag")) {
            counts.put(k, new int[3]);
        }
        int modelOnly = 0;
        int overTriaged = 0;
        for (int i = 0; i < expert.length; i++) {
            int model = thresholds.decide(calibrated[i]).level();
            List<TriageFloor> floors = ruled.get(i).decision().floors();
            int fused = model;
            for (TriageFloor f : floors) {
                fused = Math.min(fused, f.level().level());
            }
            for (TriageFloor f : floors) {
                int[] c = counts.computeIfAbsent(kind(f.source()), k -> new int[3]);
                c[0]++;
                if (f.level().level() < expert[i]) {
                    c[1]++;
                }
            }
            if (fused >= expert[i]) {
                continue;
            }
            overTriaged++;
            int level = fused;
            List<String> setters = floors.stream().filter(f -> f.level().level() == level)
                    .map(f -> kind(f.source())).distinct().toList();
            if (setters.isEmpty()) {
                modelOnly++;
            } else if (setters.size() == 1 && model > fused) {
                counts.get(setters.getFirst())[2]++;
            }
        }
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("visits", expert.length);
        o.put("over_triaged_visits", overTriaged);
        o.put("over_triaged_by_the_model_alone", modelOnly);
        o.put("method", "out-of-fold levels of the selected model at its operating point, fused with the floors of"
                + " the rules-only engine on the same training visits");
        ObjectNode kinds = o.putObject("floors");
        counts.forEach((k, c) -> {
            ObjectNode row = kinds.putObject(k);
            row.put("visits_with_this_floor", c[0]);
            row.put("floor_more_urgent_than_expert", c[1]);
            row.put("over_triaged_visits_caused", c[2]);
        });
        return o;
    }
}
