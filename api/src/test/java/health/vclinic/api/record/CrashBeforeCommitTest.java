package health.vclinic.api.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.vclinic.api.TestSupport;
import health.vclinic.models.ProjectRoot;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-behind promise, tested with a real crash: {@code vclinic serve} runs as its own process on a real
 * PostgreSQL; the assessment table is locked so that no answer can be committed; the answers come back anyway
 * (journaled, {@code recorded=true}); the process is killed with SIGKILL before any commit. The database then
 * holds none of them, and the next start writes every one under the id its answer carried, leaving the
 * journal empty. Deterministic: the lock, not a race, keeps the commits out.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrashBeforeCommitTest {

    private static final int ANSWERS = 12;
    private static final Pattern RECORD_ID = Pattern.compile("\"record_id\"\\s*:\\s*\"([0-9a-f-]{36})\"");

    @TempDir
    Path dir;

    @Test
    void everyAssessmentAnsweredBeforeACrashIsWrittenAtTheNextStart() throws Exception {
        int pgPort = freePort();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(false)
                .setPort(pgPort).start()) {
            Path dataDir = dir.resolve("data");
            Process first = serve(pgPort, dataDir, "first");
            List<String> answered = new ArrayList<>();
            try {
                URI base = awaitReady(dataDir, first);
                String token = token(dataDir);
                String body = TestSupport.exampleLines().getFirst().replaceFirst("\\{", "{\"patient_ref\":\"pt-crash\",");
                try (Connection lock = pg.getPostgresDatabase().getConnection()) {
                    lock.setAutoCommit(false);
                    try (Statement s = lock.createStatement()) {
                        s.execute("LOCK TABLE triage_assessment IN ACCESS EXCLUSIVE MODE");
                    }
                    for (int i = 0; i < ANSWERS; i++) {
                        String answer = assess(base, token, body);
                        assertTrue(answer.contains("\"recorded\":true"), answer);
                        Matcher m = RECORD_ID.matcher(answer);
                        assertTrue(m.find(), answer);
                        answered.add(m.group(1));
                    }
                    first.destroyForcibly().waitFor();
                    lock.rollback();
                }
            } finally {
                first.destroyForcibly().waitFor();
            }
            assertEquals(0, rowsWithIds(pg, answered), "the answers were given before any commit");

            Process second = serve(pgPort, dataDir, "second");
            try {
                awaitReady(dataDir, second);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (rowsWithIds(pg, answered) < ANSWERS && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(ANSWERS, rowsWithIds(pg, answered));
                while (journalBytes(dataDir) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(0, journalBytes(dataDir), "the journal empties once its entries are committed");
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
                second.destroyForcibly().waitFor();
            }
        }
    }

    /** {@code vclinic serve} in its own JVM, on this test's classpath, on a free port. */
    private Process serve(int pgPort, Path dataDir, String name) throws IOException {
        Files.deleteIfExists(health.vclinic.api.cli.ServerAddress.file(dataDir));
        return new ProcessBuilder(java(), "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
                "-D" + ProjectRoot.PROPERTY + "=" + ProjectRoot.path(), "-cp", System.getProperty("java.class.path"),
                "health.vclinic.api.cli.Main", "serve", "--port", "0", "--data-dir", dataDir.toString(),
                "--key-dir", dir.resolve("keys").toString(),
                "--database-url", "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres", "--database-user", "postgres")
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    /** Where the child wrote its address, once it answers ready. */
    private URI awaitReady(Path dataDir, Process server) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertTrue(server.isAlive(), () -> "the server stopped: " + log(server));
            Path file = health.vclinic.api.cli.ServerAddress.file(dataDir);
            if (Files.isRegularFile(file)) {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                Matcher m = Pattern.compile("url=(\\S+)").matcher(text);
                if (m.find()) {
                    URI base = URI.create(m.group(1));
                    try {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/health/ready")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            return base;
                        }
                    } catch (IOException notYet) {
                        // Listening soon.
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the server did not become ready: " + log(server));
    }

    private String log(Process server) {
        try (Stream<Path> logs = Files.list(dir)) {
            StringBuilder out = new StringBuilder();
            for (Path p : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                out.append(Files.readString(p, StandardCharsets.UTF_8));
            }
            return out.toString();
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** A backend token from {@code vclinic admin token} on the child's key directory. */
    private String token(Path dataDir) throws Exception {
        Process p = new ProcessBuilder(java(), "-D" + ProjectRoot.PROPERTY + "=" + ProjectRoot.path(),
                "-cp", System.getProperty("java.class.path"), "health.vclinic.api.cli.Main", "admin", "token",
                "--clinic", "default", "--role", "backend", "--data-dir", dataDir.toString(),
                "--key-dir", dir.resolve("keys").toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor());
        return out.lines().reduce((a, b) -> b).orElseThrow();
    }

    private static String assess(URI base, String token, String body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/v1/triage:assess"))
                .timeout(Duration.ofSeconds(20)).header("authorization", "Bearer " + token)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static int rowsWithIds(EmbeddedPostgres pg, List<String> ids) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM triage_assessment WHERE record_id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static long journalBytes(Path dataDir) throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve("journal"))) {
            long sum = 0;
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".journal")).toList()) {
                sum += Files.size(f);
            }
            return sum;
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
