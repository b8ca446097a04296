package health.vclinic.api.record;

import com.google.protobuf.InvalidProtocolBufferException;
import health.vclinic.api.server.ApiError.Kind;
import health.vclinic.api.server.ApiException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * How the stores of the clinical record's database talk to it: one pooled connection per call, and for a
 * write one transaction, rolled back on any failure. A database that cannot be reached is UNAVAILABLE to
 * the caller (try again); a stored message that no longer parses is our fault.
 */
public final class Transactions {

    /** Work on one connection; may read stored protobuf messages. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException, InvalidProtocolBufferException;
    }

    private Transactions() {
    }

    /** Runs {@code work} on a connection in auto-commit mode. */
    public static <T> T read(DataSource dataSource, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw unavailable();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored message no longer parses", e);
        }
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public static <T> T write(DataSource dataSource, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = work.run(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException | InvalidProtocolBufferException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw unavailable();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a stored message no longer parses", e);
        }
    }

    private static ApiException unavailable() {
        return new ApiException(Kind.UNAVAILABLE, "the clinical record's database is unreachable; try again");
    }
}
