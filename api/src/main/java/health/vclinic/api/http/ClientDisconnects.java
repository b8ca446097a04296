package health.vclinic.api.http;

import io.helidon.common.buffers.DataReader;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Logger;

/**
 * A client that closes its connection in the middle of a request line or its headers has made the
 * mistake, not the server; Helidon 4.5 nevertheless logs each one as "Internal server error" with a stack
 * trace at WARNING (its routes are never reached, so no handler of ours can intervene). This filter drops
 * exactly those records: a fault whose cause chain holds Helidon's "no more data from the client"
 * exception. Every other record, and every other fault, is logged as before.
 */
final class ClientDisconnects implements Filter {

    /** The two Helidon loggers that report such a request (the connection and its direct handlers). */
    private static final List<Logger> LOGGERS = List.of(
            Logger.getLogger("io.helidon.webserver.http1.Http1Connection"),
            Logger.getLogger("io.helidon.webserver.http.DirectHandlers"));

    private ClientDisconnects() {
    }

    /** Installs the filter; idempotent. The loggers are held here, so the filter lives as long as the class. */
    static synchronized void quietHelidonLogs() {
        for (Logger logger : LOGGERS) {
            if (!(logger.getFilter() instanceof ClientDisconnects)) {
                logger.setFilter(new ClientDisconnects());
            }
        }
    }

    @Override
    public boolean isLoggable(java.util.logging.LogRecord record) {
        for (Throwable t = record.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DataReader.InsufficientDataAvailableException) {
                return false;
            }
        }
        return true;
    }
}
