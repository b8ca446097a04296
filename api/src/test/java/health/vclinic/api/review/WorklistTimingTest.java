package health.vclinic.api.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSecurity;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.monitoring.v1.AlertState;
import health.vclinic.api.monitoring.v1.Severity;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.record.RecordStore;
import health.vclinic.api.security.Role;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.TriageEndpoint;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worklist with 10,000 open items in one clinic (9,500 assessments awaiting review and 500 open alerts),
 * beside as many rows that need no review and a second clinic as large: the median time of a page is measured
 * and printed, with and without the worklist index, and PostgreSQL's plan. Timings are reported, never asserted
 * (this machine is shared); what is asserted is that the pages are right.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class WorklistTimingTest {

    private static final ClinicId CLINIC = new ClinicId("timing");
    private static final ClinicId OTHER = new ClinicId("timing-other");
    private static final int ASSESSMENTS = 9_500;
    private static final int ALERTS = 500;
    private static final int RUNS = 101;

    @TempDir
    static Path dataDir;

    private static ClinicalRecord record;
    private static VclinicServer server;
    private static ReviewStore store;

    @BeforeAll
    static void seed() throws Exception {
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), health.vclinic.api.TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        server = VclinicServer.start(TestSecurity.SECURITY, TriageEndpoint.standard(), Optional.empty(),
                Optional.empty(), Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
        store = new ReviewStore(record.database().dataSource(), record.cipher());
        Random random = new Random(13);
        Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
        for (ClinicId clinic : List.of(CLINIC, OTHER)) {
            List<RecordStore.AssessmentRow> batch = new ArrayList<>();
            for (int i = 0; i < 2 * ASSESSMENTS; i++) {
                boolean open = i % 2 == 0;
                // Half await review (levels 1-4 with a reason), half do not (level 4-5, nothing to review).
                int level = open ? 1 + random.nextInt(4) : 4 + random.nextInt(2);
                batch.add(ReviewApiTest.WorklistSeed.row(UUID.randomUUID(), clinic, "p-" + (i % 3000),
                        t0.plusSeconds(random.nextInt(30 * 24 * 3600)), level,
                        open ? List.of("needs a look") : List.of()));
                if (batch.size() == 1000) {
                    record.store().insertAssessments(batch);
                    batch.clear();
                }
            }
            List<RecordStore.AlertRow> alerts = new ArrayList<>();
            for (int i = 0; i < ALERTS; i++) {
                Instant at = t0.plusSeconds(random.nextInt(30 * 24 * 3600));
                Severity severity = Severity.forNumber(1 + random.nextInt(4));
                alerts.add(ReviewApiTest.WorklistSeed.alert(clinic, "alert-" + i, "p-" + i, at, AlertState.RAISED, severity));
                alerts.add(ReviewApiTest.WorklistSeed.alert(clinic, "alert-" + i, "p-" + i, at.plusSeconds(300),
                        AlertState.UPDATED, severity));
            }
            record.store().insertAlertEvents(alerts);
        }
        try (Connection c = record.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("ANALYZE");
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static double medianMillis(LongSupplier nanos) {
        for (int i = 0; i < 10; i++) {
            nanos.getAsLong();
        }
        long[] t = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            t[i] = nanos.getAsLong();
        }
        Arrays.sort(t);
        return t[RUNS / 2] / 1e6;
    }

    private static long timed(Runnable r) {
        long start = System.nanoTime();
        r.run();
        return System.nanoTime() - start;
    }

    @Test
    void aPageOfTenThousandOpenItemsIsMeasured() throws Exception {
        WorklistQuery first = WorklistQuery.everything();
        WorklistPage page = store.worklist(CLINIC, first);
        assertEquals(ASSESSMENTS + ALERTS, page.open());
        assertEquals(WorklistQuery.DEFAULT_PAGE_SIZE, page.items().size());
        List<WorklistItem> items = page.items();
        for (int i = 1; i < items.size(); i++) {
            WorklistItem a = items.get(i - 1);
            WorklistItem b = items.get(i);
            assertTrue(a.level() < b.level() || a.level() == b.level() && !a.at().isAfter(b.at()), a + " before " + b);
        }
        // Two hundred pages in: the cursor walks the index, not the pages before.
        WorklistQuery deep = first;
        for (int i = 0; i < 100; i++) {
            deep = new WorklistQuery(Set.of(), Set.of(), deep.pageSize(), store.worklist(CLINIC, deep).next());
        }
        WorklistQuery deepPage = deep;
        WorklistQuery filtered = new WorklistQuery(Set.of(WorklistKind.ALERT, WorklistKind.HIGH_ACUITY), Set.of(1, 2),
                50, Optional.empty());

        double storeFirst = medianMillis(() -> timed(() -> store.worklist(CLINIC, first)));
        double storeDeep = medianMillis(() -> timed(() -> store.worklist(CLINIC, deepPage)));
        double storeFiltered = medianMillis(() -> timed(() -> store.worklist(CLINIC, filtered)));
        double http = medianMillis(() -> timed(() -> {
            try {
                HttpResponse<String> r = ReviewApiTest.http(server.port(), "GET", "/v1/reviews/worklist", CLINIC, Role.CLINICIAN, "");
                assertEquals(200, r.statusCode());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }));
        String plan = store.explainWorklist(CLINIC, first);
        assertTrue(plan.contains("review_queue_worklist") && plan.contains("alert_queue_worklist"), plan);

        double without;
        try (Connection c = record.database().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP INDEX review_queue_worklist");
            s.execute("DROP INDEX alert_queue_worklist");
            s.execute("ANALYZE");
            without = medianMillis(() -> timed(() -> store.worklist(CLINIC, first)));
            s.execute("CREATE INDEX review_queue_worklist ON review_queue (clinic_id, level, assessed_at, record_id)");
            s.execute("CREATE INDEX alert_queue_worklist ON alert_queue (clinic_id, urgency, raised_at, queue_id)");
        }
        System.out.printf(Locale.ROOT, "worklist, %d open items (%d assessments, %d alerts) in a clinic, as many again"
                        + " not awaiting review, and a second clinic as large; median of %d runs:%n"
                        + "  first page of 50 (store):      %.2f ms%n"
                        + "  page 101 of 50 (store):        %.2f ms%n"
                        + "  levels 1-2, alerts + high acuity (store): %.2f ms%n"
                        + "  first page over HTTP (client to JSON): %.2f ms%n"
                        + "  first page without the worklist indexes: %.2f ms%n"
                        + "plan of the first page:%n%s",
                ASSESSMENTS + ALERTS, ASSESSMENTS, ALERTS, RUNS, storeFirst, storeDeep, storeFiltered, http, without, plan);
    }
}
