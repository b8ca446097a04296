package health.vclinic.api.security;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The system scopes vclinic grants to clinic backends (SMART App Launch v1 scope syntax,
 * {@code system/<area>.<read|write>}, as in SMART Backend Services):
 *
 * <ul>
 *   <li>{@code system/triage.write}: assess (gRPC {@code TriageService/Assess}, {@code POST /v1/triage:assess},
 *       FHIR {@code $triage}, CDS Hooks);</li>
 *   <li>{@code system/imaging.write}: analyse chest X-rays;</li>
 *   <li>{@code system/monitoring.write}: stream vital signs ({@code MonitoringService/Monitor});</li>
 *   <li>{@code system/record.read}: read the clinic's record back (gRPC {@code RecordService}, {@code GET
 *       /v1/record/...} but a patient's export, the FHIR RiskAssessment and Flag reads);</li>
 *   <li>{@code system/RiskAssessment.read}, {@code system/Flag.read} (SMART's resource-type form): only the FHIR
 *       reads of RiskAssessments or of Flags (monitoring alerts).</li>
 * </ul>
 *
 * A token limited to scopes reaches only the routes whose {@link Policy} rule names one of them (the README's
 * roles table); a write scope never reads and a read scope never assesses.
 *
 * A request may use {@code *} for the area or the action ({@code system/*.read}, {@code system/*.*}).
 * What is granted is the intersection of what is asked, what the client is registered for and what is
 * listed here; a well-formed scope vclinic does not know is left out (RFC 6749 §3.3 lets the server grant
 * less than asked), a malformed one is refused.
 */
public final class SmartScopes {

    public static final String TRIAGE_WRITE = "system/triage.write";
    public static final String IMAGING_WRITE = "system/imaging.write";
    public static final String MONITORING_WRITE = "system/monitoring.write";
    public static final String RECORD_READ = "system/record.read";
    public static final String RISK_ASSESSMENT_READ = "system/RiskAssessment.read";
    public static final String FLAG_READ = "system/Flag.read";

    /** Every scope vclinic understands, as advertised in {@code /.well-known/smart-configuration}. */
    public static final List<String> SUPPORTED = List.of(TRIAGE_WRITE, IMAGING_WRITE,
            MONITORING_WRITE, RECORD_READ, RISK_ASSESSMENT_READ, FLAG_READ);

    /** Longest {@code scope} parameter taken. */
    static final int MAX_LENGTH = 1024;
    private static final Pattern FORM = Pattern.compile("system/([A-Za-z*]{1,32})\\.([a-z*]{1,8})");

    private SmartScopes() {
    }

    /**
     * The scopes to register for a client: each must be one of {@link #SUPPORTED} (no wildcards).
     *
     * @throws IllegalArgumentException naming the first unknown scope
     */
    public static Set<String> registrable(List<String> scopes) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : scopes) {
            if (!SUPPORTED.contains(s)) {
                throw new IllegalArgumentException("scope must be one of " + SUPPORTED + ", not '" + printable(s) + "'");
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("a client needs at least one scope of " + SUPPORTED);
        }
        return Set.copyOf(out);
    }

    /**
     * The scopes granted for a request's space-separated {@code scope} parameter, in {@link #SUPPORTED} order.
     *
     * @throws IllegalArgumentException when the parameter is too long or a scope is not of the form
     *     {@code system/<area>.<action>}
     */
    public static List<String> grant(String requested, Set<String> allowed) {
        if (requested.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("scope is longer than " + MAX_LENGTH + " characters");
        }
        Set<String> granted = new LinkedHashSet<>();
        for (String asked : requested.trim().split(" +")) {
            Matcher m = FORM.matcher(asked);
            if (!m.matches()) {
                throw new IllegalArgumentException("each scope must be system/<area>.<read|write> (e.g. "
                        + SUPPORTED.getFirst() + "); vclinic grants only system scopes to backends");
            }
            for (String s : SUPPORTED) {
                String area = s.substring("system/".length(), s.indexOf('.'));
                String action = s.substring(s.indexOf('.') + 1);
                if (allowed.contains(s) && (m.group(1).equals("*") || m.group(1).equals(area))
                        && (m.group(2).equals("*") || m.group(2).equals(action))) {
                    granted.add(s);
                }
            }
        }
        return SUPPORTED.stream().filter(granted::contains).toList();
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
