package health.vclinic.api.app;

import health.vclinic.api.MovableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import com.google.protobuf.ByteString;
import health.vclinic.api.TestKeys;
import health.vclinic.api.TestSecurity;
import health.vclinic.api.TestSupport;
import health.vclinic.api.VclinicServer;
import health.vclinic.api.http.HttpTimeouts;
import health.vclinic.api.imaging.ImagingEndpoint;
import health.vclinic.api.imaging.v1.AnalyzeRequest;
import health.vclinic.api.imaging.v1.ImagingServiceGrpc;
import health.vclinic.api.monitoring.MonitoringEndpoint;
import health.vclinic.api.monitoring.MonitoringMapper;
import health.vclinic.api.monitoring.StreamLimits;
import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.MonitoringServiceGrpc;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.api.record.ClinicalRecord;
import health.vclinic.api.record.Database;
import health.vclinic.api.review.ReviewExport;
import health.vclinic.api.review.ReviewStore;
import health.vclinic.api.security.BearerToken;
import health.vclinic.api.security.Role;
import health.vclinic.api.security.login.Accounts;
import health.vclinic.api.security.login.ClinicianLogin;
import health.vclinic.api.security.login.Enrolment;
import health.vclinic.api.security.login.LoginEvents;
import health.vclinic.api.security.login.LoginSettings;
import health.vclinic.api.security.login.Totp;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.triage.ServedEngine;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import health.vclinic.datasets.monitoring.AcuteScenarios;
import health.vclinic.datasets.reviews.ReasonCode;
import health.vclinic.datasets.reviews.ReviewAction;
import health.vclinic.datasets.reviews.ReviewExportFile;
import health.vclinic.datasets.reviews.ReviewedCase;
import health.vclinic.inference.imaging.DynamicBatcher;
import health.vclinic.datasets.imaging.ImageLimits;
import health.vclinic.inference.monitoring.MonitoringConfig;
import health.vclinic.inference.monitoring.MonitoringModels;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.bouncycastle.util.encoders.Base32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The clinicians' app in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, driven by
 * Selenium) against a real server on a free port with the real PostgreSQL, the served triage model, the imaging
 * model and the monitoring engine: a clinician logs in with a password and a TOTP code, sees an assessment a
 * backend of the clinic sent over gRPC a moment before (and nothing of another clinic's), reads its NEWS2 chart,
 * red-flag words and the model's pushes in words, opens a monitoring alert with its trends, and is logged off
 * after inactivity (on a clock the test moves). axe-core checks every page for serious or critical accessibility
 * violations. The screenshots in {@code docs/screenshots/} are taken here, so that the README shows the app as it
 * is. Deterministic: explicit waits on elements, never sleeps; one browser for the class, a fixed window size.
 *
 * <p>Without Chromium the class is skipped, unless {@code VCLINIC_REQUIRE_BROWSER} is set (CI), then it fails.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ClinicianAppBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final ClinicId A = new ClinicId("clinic-a");
    private static final ClinicId B = new ClinicId("clinic-b");
    private static final String PASSWORD = "correct horse battery staple";
    /** A value printed as a raw double (more than three decimals) has no place on a clinician's page. */
    private static final Pattern RAW_FLOAT = Pattern.compile("\\d\\.\\d{4,}");
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;

    private static final MovableClock CLOCK = new MovableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private static ClinicalRecord record;
    private static VclinicServer server;
    private static ManagedChannel channel;
    private static WebDriver browser;
    private static WebDriverWait await;
    private static String base;
    private static byte[] secret;
    private static String login;

    @BeforeAll
    static void start() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && System.getenv("VCLINIC_REQUIRE_BROWSER") != null) {
            throw new AssertionError("VCLINIC_REQUIRE_BROWSER is set but " + CHROMIUM + " or " + CHROMEDRIVER
                    + " is missing: apt-get install -y chromium chromium-driver");
        }
        Assumptions.assumeTrue(present, "no Chromium here (apt-get install -y chromium chromium-driver)");
        record = ClinicalRecord.open(Database.embedded(dataDir, OptionalInt.empty()), TestKeys.master(dataDir), dataDir,
                ClinicalRecord.DEFAULT_SPOOL_BYTES, Optional.empty());
        ClinicianLogin sessions = ClinicianLogin.create(record.database().dataSource(), record.cipher(),
                LoginSettings.defaults(), CLOCK, LoginEvents.NONE);
        Enrolment e = new Accounts(record.database().dataSource(), record.cipher()).create(A, "dr.ada", Role.CLINICIAN, PASSWORD);
        login = e.login();
        secret = Base32.decode(e.totpSecretBase32());
        ImagingEndpoint imaging = ImagingEndpoint.open(TestSupport.projectRoot().resolve("models/repository"),
                new DynamicBatcher.Config(8, Duration.ofMillis(1), 64), ImageLimits.DEFAULT);
        TriageEndpoint triage = imaging.readingChestXrays(new TriageEndpoint(
                ServedEngine.load(TestSupport.projectRoot(), s -> { }, false)));
        server = VclinicServer.start(TestSecurity.SECURITY.withSessions(sessions), triage, Optional.of(imaging),
                Optional.of(MonitoringEndpoint.create(MonitoringConfig.defaults(), MonitoringModels.none(),
                        StreamLimits.defaults())), Optional.of(record), "127.0.0.1", 0, HttpTimeouts.DEFAULTS);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        base = "http://127.0.0.1:" + server.port();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--force-device-scale-factor=1", "--lang=en-GB");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        await = new WebDriverWait(browser, WAIT);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (browser != null) {
            browser.quit();
        }
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    // ---- helpers ----

    private static TriageServiceGrpc.TriageServiceBlockingStub triage(ClinicId clinic) {
        return TriageServiceGrpc.newBlockingStub(channel)
                .withInterceptors(new BearerToken(TestSecurity.token(clinic, Role.BACKEND)));
    }

    /** Logs in through the login page with a fresh TOTP code (the clock moves to the next step: a code is good once). */
    private static void logIn() {
        browser.get(base + "/app/login");
        CLOCK.advance(Duration.ofSeconds(Totp.STEP_SECONDS));
        type("clinic", A.value());
        type("login", login);
        type("password", PASSWORD);
        type("totp", new Totp(CLOCK).now(secret));
        browser.findElement(By.id("login-submit")).click();
        await.until(ExpectedConditions.presenceOfElementLocated(By.id("worklist")));
    }

    private static void type(String id, String text) {
        WebElement input = await.until(ExpectedConditions.elementToBeClickable(By.id(id)));
        input.clear();
        input.sendKeys(text);
    }

    /** Opens {@code path}, logging in first when the session has ended. */
    private static void open(String path) {
        browser.get(base + path);
        if (browser.getCurrentUrl().endsWith("/app/login") || browser.getCurrentUrl().contains("/app/login?")) {
            logIn();
            browser.get(base + path);
        }
        await.until(ExpectedConditions.presenceOfElementLocated(By.tagName("main")));
    }

    /** Waits for {@code by}; on timeout, fails with the page the browser shows instead. */
    private static WebElement present(By by) {
        try {
            return await.until(ExpectedConditions.presenceOfElementLocated(by));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no " + by + " on " + browser.getCurrentUrl() + ": " + text(), e);
        }
    }

    private static String text() {
        return browser.findElement(By.tagName("body")).getText();
    }

    /** The page's serious and critical axe-core violations (WCAG 2.x A and AA rules). */
    private static List<String> seriousViolations() {
        Results results = new AxeBuilder().withTags(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"))
                .analyze(browser);
        List<String> out = new ArrayList<>();
        for (Rule r : results.getViolations()) {
            if ("serious".equals(r.getImpact()) || "critical".equals(r.getImpact())) {
                out.add(r.getId() + " (" + r.getImpact() + "): " + r.getHelp() + " at " + r.getNodes().stream()
                        .map(n -> String.valueOf(n.getTarget())).toList());
            }
        }
        return out;
    }

    /**
     * Saves the whole page, from its top, as {@code NAME.png}: into {@code docs/screenshots/} for the README when
     * {@code VCLINIC_UPDATE_SCREENSHOTS=1}, else under {@code api/target/screenshots/} (a test run leaves the
     * tracked files alone).
     */
    private static void screenshot(String name) throws IOException {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript("window.scrollTo(0, 0)");
        long width = (Long) js.executeScript("return Math.ceil(document.documentElement.scrollWidth)");
        long height = (Long) js.executeScript("return Math.ceil(document.documentElement.scrollHeight)");
        Map<String, Object> shot = ((ChromeDriver) browser).executeCdpCommand("Page.captureScreenshot", Map.of(
                "format", "png", "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", width,
                        "height", Math.min(height, 4000), "scale", 1)));
        Path dir = "1".equals(System.getenv("VCLINIC_UPDATE_SCREENSHOTS"))
                ? TestSupport.projectRoot().resolve("docs/screenshots")
                : TestSupport.projectRoot().resolve("api/target/screenshots");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
    }

    /** Plays an acute scenario over a real Monitor stream of clinic A and returns the alerts it raised. */
    private static List<Alert> monitor(AcuteScenarios.ScriptedPatient patient) throws Exception {
        List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<VitalSample> stream = MonitoringServiceGrpc.newStub(channel)
                .withInterceptors(new BearerToken(TestSecurity.token(A, Role.BACKEND)))
                .monitor(new StreamObserver<>() {
                    @Override
                    public void onNext(Alert a) {
                        alerts.add(a);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        patient.samples().forEach(s -> stream.onNext(MonitoringMapper.toProto(s)));
        stream.onCompleted();
        done.get(60, TimeUnit.SECONDS);
        record.flushAlerts();
        record.flushVitals();
        return List.copyOf(alerts);
    }

    // ---- the tests ----

    @Test
    void aClinicianSeesTheClinicsNewAssessmentAppearAndNothingOfAnotherClinic() throws Exception {
        Alert shock = monitor(AcuteScenarios.generate(AcuteScenarios.Scenario.SHOCK, Duration.ofMinutes(1), 11,
                Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(150)), Duration.ofMinutes(20)))
                .stream().filter(Alert::getPages).findFirst().orElseThrow();
        open("/app/?refresh=2");
        assertTrue(browser.findElement(By.cssSelector("#worklist tr[data-id='" + shock.getAlertId() + "']")).getText()
                .contains("Alert"), "an open monitoring alert is on the list");
        String before = browser.getTitle();
        // A moment after the page loaded, a backend of clinic A and one of clinic B each send an assessment.
        TriageAssessment ours = triage(A).assess(TestSupport.example("demo-001").toBuilder()
                .setPatientRef("pt-1042").build());
        TriageAssessment theirs = triage(B).assess(TestSupport.example("demo-007").toBuilder()
                .setPatientRef("pt-1042").build());
        assertTrue(ours.getLevel() <= 2 && theirs.getLevel() <= 2, "both are on a worklist: level 1 or 2");

        WebElement row = await.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#worklist tr[data-id='" + ours.getRecordId() + "']")));
        assertTrue(row.getText().contains("Crushing chest pain"), row.getText());
        assertTrue(row.getText().contains("Level " + ours.getLevel()), "the level in words beside its colour");
        assertTrue(row.getText().contains("pt-1042"), row.getText());
        await.until(d -> d.getTitle().matches("^\\(\\d+\\) .*"));
        assertFalse(before.equals(browser.getTitle()), "the count in the title follows the new items");
        assertEquals("1 new item", browser.findElement(By.id("worklist-status")).getText());
        assertFalse(text().contains("worst headache of my life"), "clinic B's assessment is not on clinic A's list");
        assertTrue(browser.findElements(By.cssSelector("#worklist tr[data-id='" + theirs.getRecordId() + "']")).isEmpty());
        screenshot("worklist");

        browser.get(base + "/app/assessments/" + theirs.getRecordId());
        assertTrue(text().contains("Not found"), "another clinic's assessment is not found: " + text());
    }

    @Test
    void theAssessmentPageShowsTheNews2ChartTheRedFlagWordsAndTheModelInClinicalWords() throws Exception {
        byte[] film = Files.readAllBytes(TestSupport.projectRoot().resolve("examples/chest-xray-pneumonia.png"));
        ImagingServiceGrpc.newBlockingStub(channel).withInterceptors(new BearerToken(TestSecurity.token(A, Role.BACKEND)))
                .analyze(AnalyzeRequest.newBuilder().setImage(ByteString.copyFrom(film)).setPatientRef("pt-2077").build());
        TriageRequest request = TestSupport.example("demo-001").toBuilder().setPatientRef("pt-2077")
                .setChestXray(ByteString.copyFrom(film)).build();
        request = request.toBuilder().setVitals(request.getVitals().toBuilder().clearTemperatureC()).build();
        TriageAssessment a = triage(A).assess(request);

        open("/app/assessments/" + a.getRecordId());
        WebElement level = browser.findElement(By.id("level"));
        assertEquals("Level " + a.getLevel() + " · " + Clinical.acuity(a.getLevel()), level.getText());
        // NEWS2 as the chart shows it: seven rows, the temperature missing (not scored as normal).
        List<WebElement> rows = browser.findElements(By.cssSelector("#news2 tbody tr"));
        assertEquals(7, rows.size());
        WebElement temperature = rows.get(6);
        assertTrue(temperature.getText().startsWith("Temperature not measured"), temperature.getText());
        assertEquals("missing", temperature.getAttribute("class"));
        WebElement pulse = rows.get(4);
        assertTrue(pulse.getText().contains("104 /min") && pulse.getText().contains("1 point"), pulse.getText());
        assertEquals("p1", pulse.getAttribute("class"));
        assertTrue(browser.findElement(By.id("news2-total")).getText().contains("at least"),
                "with a parameter missing the total is a lower bound");
        // The words that fired the red flag, highlighted in the complaint.
        List<String> marked = browser.findElements(By.cssSelector("#complaint mark")).stream().map(WebElement::getText)
                .toList();
        assertFalse(marked.isEmpty());
        assertTrue(marked.stream().anyMatch(m -> m.toLowerCase(java.util.Locale.ROOT).contains("chest pain")), marked.toString());
        assertTrue(browser.findElement(By.id("red-flags")).getText().contains("'"), "evidence quoted");
        // The model in clinical words: probabilities per level, pushes with a direction, never raw floats.
        assertEquals(5, browser.findElements(By.cssSelector("#probabilities tbody tr")).size());
        List<WebElement> pushes = browser.findElements(By.cssSelector("#contributions tbody tr"));
        assertFalse(pushes.isEmpty());
        assertTrue(pushes.getFirst().getText().matches("(?s).+(strong|moderate|slight), towards (more|less) urgent.*"),
                pushes.getFirst().getText());
        assertTrue(text().contains("heart rate 104 /min"), "the heart rate as a clinician writes it");
        assertFalse(RAW_FLOAT.matcher(text()).find(), "a raw float on the page: " + RAW_FLOAT.matcher(text()).results()
                .map(r -> r.group()).toList());
        assertTrue(browser.findElement(By.id("missing")).getText().contains("temperature"));
        // The chest X-ray, with the saliency overlay of the analysis of the same film.
        assertTrue(browser.findElement(By.id("saliency")).getAttribute("src").startsWith("data:image/png;base64,"));
        assertTrue(text().contains("triage-model"), "the versions");
        screenshot("assessment");

        // The clinician overrides the level with a coded reason; the override is kept and exported for retraining.
        int theirs = a.getLevel() == 1 ? 2 : a.getLevel() + 1;
        new Select(browser.findElement(By.id("override-level"))).selectByValue(Integer.toString(theirs));
        new Select(browser.findElement(By.id("override-reason"))).selectByValue("RED_FLAG_FIRED_WRONGLY");
        browser.findElement(By.id("override-comment")).sendKeys("pain reproduced on palpation");
        browser.findElement(By.id("override")).click();
        WebElement history = present(By.id("review-history"));
        assertTrue(history.getText().contains("overrode level " + a.getLevel() + " to " + theirs), history.getText());
        assertTrue(history.getText().contains("Red flag fired wrongly") && history.getText().contains(login),
                history.getText());
        Path file = dataDir.resolve("reviews.jsonl");
        new ReviewExport(new ReviewStore(record.database().dataSource(), record.cipher()), Clock.systemUTC()).export(
                TestSupport.projectRoot(), LocalDate.now(ZoneOffset.UTC).minusDays(1), Set.of(A), "test", file);
        List<ReviewedCase> overridden = ReviewExportFile.read(file).cases().stream()
                .filter(c -> c.action() == ReviewAction.OVERRIDDEN).toList();
        assertEquals(1, overridden.size(), "the override is in the export");
        assertEquals(Optional.of(ReasonCode.RED_FLAG_FIRED_WRONGLY), overridden.getFirst().reason());
        assertEquals(OptionalInt.of(theirs), overridden.getFirst().clinicianLevel());
        assertEquals(a.getLevel(), overridden.getFirst().serviceLevel());
        assertFalse(Files.readString(file).contains("pt-2077") || Files.readString(file).contains("palpation"),
                "neither the patient reference nor the comment leaves in the export");
    }

    @Test
    void anAlertShowsTheTrendsWithTheNews2BandsAndTheEvidenceWindow() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2));
        AcuteScenarios.ScriptedPatient patient = AcuteScenarios.generate(AcuteScenarios.Scenario.DESATURATION,
                Duration.ofMinutes(1), 7, start, Duration.ofMinutes(25));
        List<Alert> alerts = monitor(patient);
        Alert raised = alerts.stream().filter(Alert::getPages).findFirst().orElseThrow(() -> new AssertionError(
                "the desaturation pages: " + alerts));

        open("/app/?refresh=2");
        WebElement row = await.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#worklist tr[data-id='" + raised.getAlertId() + "']")));
        row.findElement(By.tagName("a")).click();
        await.until(ExpectedConditions.presenceOfElementLocated(By.id("trends")));
        assertTrue(browser.findElement(By.id("severity")).getText().contains(
                AlertPage.severityWords(raised.getSeverity())));
        assertEquals(6, browser.findElements(By.cssSelector("#trends svg.chart")).size());
        WebElement spo2 = browser.findElement(By.cssSelector("#trends figure:nth-of-type(2)"));
        assertTrue(spo2.getText().startsWith("SpO2 (%): latest"), spo2.getText());
        assertFalse(spo2.findElements(By.cssSelector("rect.news2-p3")).isEmpty(), "the SpO2 band scoring 3 is shaded");
        assertEquals(1, spo2.findElements(By.cssSelector("rect.alert-window")).size(), "the evidence window is marked");
        assertFalse(spo2.findElements(By.cssSelector("polyline.trend-line")).isEmpty());

        // Acknowledged with a note: kept, and still on the worklist, marked.
        browser.findElement(By.id("alert-note")).sendKeys("called the patient: oxygen on, ambulance called");
        browser.findElement(By.id("acknowledge")).click();
        WebElement actions = present(By.cssSelector("table#alert-actions"));
        assertTrue(actions.getText().contains("acknowledged") && actions.getText().contains("ambulance called"),
                actions.getText());
        screenshot("alert");
        open("/app/");
        assertTrue(browser.findElement(By.cssSelector("#worklist tr[data-id='" + raised.getAlertId() + "']")).getText()
                .contains("acknowledged"));
        // Resolved: off the worklist.
        open("/app/alerts/" + raised.getAlertId());
        browser.findElement(By.id("resolve")).click();
        await.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("table#alert-actions"), "resolved"));
        open("/app/");
        assertTrue(browser.findElements(By.cssSelector("#worklist tr[data-id='" + raised.getAlertId() + "']")).isEmpty(),
                "a resolved alert leaves the worklist");
    }

    @Test
    void aSessionLeftIdlePastTheTimeoutIsLoggedOffOnTheServer() {
        open("/app/?refresh=2");
        CLOCK.advance(LoginSettings.DEFAULT_IDLE.plusMinutes(1));
        // The worklist's background refresh finds the session ended and goes to the login page.
        await.until(ExpectedConditions.urlContains("/app/login?ended=1"));
        assertTrue(text().contains("Your session has ended"), text());
        browser.get(base + "/app/");
        assertTrue(browser.getCurrentUrl().endsWith("/app/login"), "no page without logging in again");
    }

    @Test
    void thePagesFitATabletsWidth() {
        TriageAssessment a = triage(A).assess(TestSupport.example("demo-003").toBuilder().setPatientRef("pt-4004").build());
        org.openqa.selenium.Dimension desktop = browser.manage().window().getSize();
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(768, 1024));
        try {
            for (String path : List.of("/app/", "/app/assessments/" + a.getRecordId(), "/app/patients/pt-4004")) {
                open(path);
                Object overflow = ((JavascriptExecutor) browser).executeScript(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
                assertEquals(0L, overflow, path + " scrolls sideways at a tablet's width");
            }
        } finally {
            browser.manage().window().setSize(desktop);
        }
    }

    @Test
    void axeFindsNoSeriousViolationsOnAnyPage() throws Exception {
        browser.get(base + "/app/login");
        assertEquals(List.of(), seriousViolations(), "login page");
        TriageAssessment a = triage(A).assess(TestSupport.example("demo-005").toBuilder().setPatientRef("pt-3003").build());
        open("/app/");
        assertEquals(List.of(), seriousViolations(), "worklist");
        open("/app/assessments/" + a.getRecordId());
        assertEquals(List.of(), seriousViolations(), "assessment");
        open("/app/patients/pt-3003");
        assertEquals(List.of(), seriousViolations(), "patient timeline");
        Alert alert = monitor(AcuteScenarios.generate(AcuteScenarios.Scenario.RESPIRATORY_FAILURE,
                Duration.ofMinutes(1), 5, Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(2)),
                Duration.ofMinutes(20))).getFirst();
        open("/app/alerts/" + alert.getAlertId());
        assertEquals(List.of(), seriousViolations(), "alert");
    }
}
