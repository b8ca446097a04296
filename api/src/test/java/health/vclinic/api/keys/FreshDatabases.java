package health.vclinic.api.keys;

import health.vclinic.api.record.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL (real PostgreSQL 15, as the record uses) for a test class, and a fresh database in
 * it, migrated from empty, for each test that asks: a master key rotation in one test cannot disturb another.
 */
final class FreshDatabases implements AutoCloseable {

    private final Path dataDir;
    private final Database server;
    private final AtomicInteger next = new AtomicInteger();
    private final List<Database> opened = new ArrayList<>();

    FreshDatabases(Path dataDir) {
        this.dataDir = dataDir;
        this.server = Database.embedded(dataDir, OptionalInt.empty());
    }

    /** A new database, migrated (V1..V5). */
    synchronized Database fresh() throws SQLException {
        String name = "keys_" + next.incrementAndGet();
        try (Connection c = server.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        Database db = Database.external("jdbc:postgresql://127.0.0.1:" + server.embeddedPort().getAsInt() + "/"
                + name, "postgres", "");
        opened.add(db);
        return db;
    }

    /** The PostgreSQL data directory, to look into the files a table is stored in. */
    Path pgData() {
        return dataDir.toAbsolutePath().resolve("postgres");
    }

    @Override
    public synchronized void close() {
        opened.forEach(Database::close);
        server.close();
    }
}
