package health.vclinic.api.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The deadline interceptor on its own, with a hand-written in-memory {@link ServerCall} (a grpc-java
 * client cannot send an already-expired {@code grpc-timeout}: it fails such calls locally).
 */
class DeadlinesTest {

    private static final MethodDescriptor.Marshaller<String> STRINGS = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<String, String> METHOD = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("test.Service/Method")
            .setRequestMarshaller(STRINGS)
            .setResponseMarshaller(STRINGS)
            .build();

    /** Records how the call was closed. */
    private static class RecordingCall extends ServerCall<String, String> {
        Status closedWith;

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(String message) {
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closedWith = status;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<String, String> getMethodDescriptor() {
            return METHOD;
        }
    }

    /** A handler that remembers the context it was started in and the call it was given. */
    private static final class CapturingHandler implements ServerCallHandler<String, String> {
        final AtomicReference<Context> context = new AtomicReference<>();
        final AtomicReference<ServerCall<String, String>> call = new AtomicReference<>();
        boolean started;

        @Override
        public ServerCall.Listener<String> startCall(ServerCall<String, String> call, Metadata headers) {
            started = true;
            this.context.set(Context.current());
            this.call.set(call);
            return new ServerCall.Listener<>() {
            };
        }
    }

    private static Metadata timeout(String value) {
        Metadata headers = new Metadata();
        headers.put(Deadlines.GRPC_TIMEOUT, value);
        return headers;
    }

    @Test
    void aZeroTimeoutIsAnsweredDeadlineExceededWithoutRunningTheHandler() {
        RecordingCall call = new RecordingCall();
        CapturingHandler handler = new CapturingHandler();

        ServerCall.Listener<String> listener = new Deadlines().interceptCall(call, timeout("0n"), handler);

        assertNotNull(listener);
        assertFalse(handler.started, "the handler must not run once the deadline has passed");
        assertNotNull(call.closedWith);
        assertEquals(Status.Code.DEADLINE_EXCEEDED, call.closedWith.getCode());
    }

    @Test
    void noTimeoutMeansNoDeadline() throws Exception {
        RecordingCall call = new RecordingCall();
        CapturingHandler handler = new CapturingHandler();

        new Deadlines().interceptCall(call, new Metadata(), handler);

        assertTrue(handler.started);
        assertNull(call.closedWith);
        assertFalse(expiredIn(handler.context.get()));
    }

    @Test
    void aTimeoutBecomesTheContextDeadline() throws Exception {
        RecordingCall call = new RecordingCall();
        CapturingHandler handler = new CapturingHandler();

        new Deadlines().interceptCall(call, timeout("30S"), handler);

        assertTrue(handler.started);
        Context context = handler.context.get();
        assertFalse(expiredIn(context));
    }

    @Test
    void aTinyTimeoutExpiresTheContext() throws Exception {
        RecordingCall call = new RecordingCall();
        CapturingHandler handler = new CapturingHandler();

        new Deadlines().interceptCall(call, timeout("1n"), handler);
        Thread.sleep(5);

        assertTrue(expiredIn(handler.context.get()));
    }

    @Test
    void sendsOnACancelledCallAreDropped() {
        RecordingCall call = new RecordingCall() {
            @Override
            public boolean isCancelled() {
                return true;
            }
        };
        CapturingHandler handler = new CapturingHandler();

        new Deadlines().interceptCall(call, timeout("5S"), handler);
        handler.call.get().sendHeaders(new Metadata());
        handler.call.get().sendMessage("late");
        handler.call.get().close(Status.OK, new Metadata());

        assertNull(call.closedWith, "a cancelled call must not be answered");
    }

    @Test
    void closeReachesTheTransportOnALiveCall() {
        RecordingCall call = new RecordingCall();
        CapturingHandler handler = new CapturingHandler();

        new Deadlines().interceptCall(call, timeout("5S"), handler);
        handler.call.get().close(Status.OK, new Metadata());

        assertSame(Status.OK, call.closedWith);
    }

    private static boolean expiredIn(Context context) throws Exception {
        return context.call(Deadlines::expired);
    }
}
