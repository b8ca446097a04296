package health.vclinic.api.record;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL behind the clinical record: an embedded server (real PostgreSQL 15 from the
 * {@code io.zonky.test} binaries) in a data directory by default, or a clinic's own server. The schema is
 * created and migrated by Flyway ({@code db/record/V*.sql}); connections come from a bounded HikariCP
 * pool whose every wait has a timeout, so an unreachable database costs a request at most
 * {@link #CONNECTION_TIMEOUT}, never a hang.
 *
 * <p>Embedded: the PostgreSQL data live in {@code DATA_DIR/postgres}. When a PostgreSQL already runs on
 * that directory (the server holds it), this connects to it instead, on the port its
 * {@code postmaster.pid} names, so {@code admin} commands work beside a running server.
 */
public final class Database implements AutoCloseable {

    /** Longest wait for a pooled connection. */
    public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);
    /** Connections kept at most: one writer, the readers, the admin calls. */
    public static final int POOL_SIZE = 8;
    private static final String EMBEDDED_USER = "postgres";

    private final HikariDataSource pool;
    private final Optional<EmbeddedPostgres> embedded;
    private final String description;
    private final Settling settling;

    private Database(HikariDataSource pool, Optional<EmbeddedPostgres> embedded, String description) {
        this.pool = pool;
        this.embedded = embedded;
        this.description = description;
        this.settling = new Settling(pool);
    }

    /**
     * The embedded PostgreSQL in {@code dataDir/postgres}: started (created on first use, reused after),
     * or joined when it already runs. {@code port} empty picks a free one.
     */
    public static Database embedded(Path dataDir, OptionalInt port) {
        Path pgData = dataDir.toAbsolutePath().resolve("postgres");
        OptionalInt running = runningPort(pgData);
        if (running.isPresent()) {
            return open(jdbcUrl(running.getAsInt()), EMBEDDED_USER, "", Optional.empty(),
                    "embedded PostgreSQL already running on " + pgData + " (port " + running.getAsInt() + ")");
        }
        EmbeddedPostgres pg;
        try {
            Files.createDirectories(pgData);
            EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(true)
                    // Zonky's defaults are for throwaway test databases: a record is committed durably.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "50")
                    .setPGStartupWait(Duration.ofSeconds(30));
            port.ifPresent(b::setPort);
            pg = b.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + pgData, e);
        }
        try {
            return open(jdbcUrl(pg.getPort()), EMBEDDED_USER, "", Optional.of(pg),
                    "embedded PostgreSQL 15 in " + pgData + " (port " + pg.getPort() + ")");
        } catch (RuntimeException e) {
            closeQuietly(pg);
            throw e;
        }
    }

    /** A clinic's PostgreSQL at {@code url} ({@code jdbc:postgresql://host:port/db}). */
    public static Database external(String url, String user, String password) {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("--database-url must be a jdbc:postgresql://host:port/database URL");
        }
        return open(url, user, password, Optional.empty(), "PostgreSQL at " + url.replaceAll("\\?.*", ""));
    }

    private static Database open(String url, String user, String password, Optional<EmbeddedPostgres> embedded,
                                 String description) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setPoolName("vclinic-record");
        c.setMaximumPoolSize(POOL_SIZE);
        c.setMinimumIdle(1);
        c.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        c.setValidationTimeout(1000);
        c.setInitializationFailTimeout(CONNECTION_TIMEOUT.toMillis());
        // Driver-level bounds: a server that stops answering mid-statement fails the statement, not the thread.
        c.addDataSourceProperty("connectTimeout", "2");
        c.addDataSourceProperty("socketTimeout", "30");
        c.addDataSourceProperty("tcpKeepAlive", "true");
        c.addDataSourceProperty("reWriteBatchedInserts", "true");
        HikariDataSource pool = new HikariDataSource(c);
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/record").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(pool, embedded, description);
    }

    /** The port of a PostgreSQL running on {@code pgData}: line 4 of its {@code postmaster.pid}, if its process lives. */
    static OptionalInt runningPort(Path pgData) {
        Path pidFile = pgData.resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return OptionalInt.empty();
            }
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
            if (lines.size() < 4) {
                return OptionalInt.empty();
            }
            long pid = Long.parseLong(lines.get(0).trim());
            if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(Integer.parseInt(lines.get(3).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static String jdbcUrl(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /**
     * The pool, as every reader and writer of the record gets it: each connection is handed out only after
     * {@link #settleBeforeConnections}'s wait, so whoever reads (the record's reads, the reviews, the
     * worklist, the audit trail, a test counting rows) sees every assessment answered before it.
     */
    public DataSource dataSource() {
        return settling;
    }

    /**
     * Runs {@code settle} before every connection is handed out: the assessment log's wait for what was
     * answered and is written behind ({@link AssessmentLog#settle}); it returns at once on its own writer.
     */
    void settleBeforeConnections(Runnable settle) {
        settling.settle = java.util.Objects.requireNonNull(settle, "settle");
    }

    /** The pool behind a wait. */
    private static final class Settling implements DataSource {
        private final HikariDataSource pool;
        private volatile Runnable settle = () -> { };

        Settling(HikariDataSource pool) {
            this.pool = pool;
        }

        @Override
        public java.sql.Connection getConnection() throws java.sql.SQLException {
            settle.run();
            return pool.getConnection();
        }

        @Override
        public java.sql.Connection getConnection(String user, String password) throws java.sql.SQLException {
            settle.run();
            return pool.getConnection(user, password);
        }

        @Override
        public java.io.PrintWriter getLogWriter() throws java.sql.SQLException {
            return pool.getLogWriter();
        }

        @Override
        public void setLogWriter(java.io.PrintWriter out) throws java.sql.SQLException {
            pool.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws java.sql.SQLException {
            pool.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws java.sql.SQLException {
            return pool.getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() throws java.sql.SQLFeatureNotSupportedException {
            return pool.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws java.sql.SQLException {
            return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws java.sql.SQLException {
            return type.isInstance(this) || pool.isWrapperFor(type);
        }
    }

    /** Where the data live, in words (no credentials). */
    public String description() {
        return description;
    }

    /** The embedded server's port, when this started one. */
    public OptionalInt embeddedPort() {
        return embedded.map(pg -> OptionalInt.of(pg.getPort())).orElse(OptionalInt.empty());
    }

    @Override
    public void close() {
        pool.close();
        embedded.ifPresent(Database::closeQuietly);
    }

    private static void closeQuietly(EmbeddedPostgres pg) {
        try {
            pg.close();
        } catch (IOException e) {
            // Stopping is best effort: the next start recovers PostgreSQL from its write-ahead log.
        }
    }
}
