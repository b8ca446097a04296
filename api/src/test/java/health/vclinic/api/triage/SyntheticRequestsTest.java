package health.vclinic.api.triage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks' requests are what the issue asks a bench to send: valid (every one assessed, none refused),
 * varied (children and adults, red flags and none, vital signs complete or absent, several levels) and the
 * same on every run of a seed.
 */
class SyntheticRequestsTest {

    @Test
    void theSameSeedGivesTheSameRequestsAndAnotherSeedOthers() {
        assertEquals(SyntheticRequests.generate(200, 7), SyntheticRequests.generate(200, 7));
        assertNotEquals(SyntheticRequests.generate(200, 7), SyntheticRequests.generate(200, 8));
    }

    @Test
    void everyRequestIsAssessedAndTheyVaryAsAClinicsDayWould() {
        List<TriageRequest> requests = SyntheticRequests.generate(1_000, 42);
        TriageEndpoint endpoint = TriageEndpoint.standard();
        Set<Integer> levels = new TreeSet<>();
        int children = 0;
        int flagged = 0;
        int noVitals = 0;
        int longComplaints = 0;
        for (TriageRequest r : requests) {
            TriageAssessment a = endpoint.assess(TestSecurity.caller(ClinicId.DEFAULT, Role.BACKEND), r);
            levels.add(a.getLevel());
            children += r.getPatient().getAgeYears() < 16 ? 1 : 0;
            flagged += a.getRedFlagsCount() > 0 ? 1 : 0;
            noVitals += r.hasVitals() ? 0 : 1;
            longComplaints += r.getInterview().getChiefComplaint().length() > 150 ? 1 : 0;
        }
        assertTrue(children > 100 && children < 400, "children: " + children);
        assertTrue(flagged > 100 && flagged < 900, "with a red flag: " + flagged);
        assertTrue(noVitals > 30, "without vital signs: " + noVitals);
        assertTrue(longComplaints > 30, "long complaints: " + longComplaints);
        assertTrue(levels.size() >= 4, "levels: " + levels);
    }
}
