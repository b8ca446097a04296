package health.vclinic.api.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.common.buffers.DataReader;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The log filter drops a client's disconnect and nothing else. */
class ClientDisconnectsTest {

    private static LogRecord record(Throwable thrown) {
        LogRecord r = new LogRecord(Level.WARNING, "Internal server error");
        r.setThrown(thrown);
        return r;
    }

    @Test
    void aClientThatWentAwayIsDroppedAndEveryOtherFaultKept() {
        ClientDisconnects.quietHelidonLogs();
        java.util.logging.Filter filter = java.util.logging.Logger.getLogger("io.helidon.webserver.http1.Http1Connection")
                .getFilter();
        assertFalse(filter.isLoggable(record(new IllegalStateException("Internal error",
                new DataReader.InsufficientDataAvailableException()))));
        assertTrue(filter.isLoggable(record(new IllegalStateException("Internal error", new NullPointerException()))));
        assertTrue(filter.isLoggable(record(null)));
    }
}
