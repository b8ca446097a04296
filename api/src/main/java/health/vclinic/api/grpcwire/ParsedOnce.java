package health.vclinic.api.grpcwire;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request message is parsed once. The wire check ({@link WireHandler}) parses every message to refuse a
 * malformed one with a status that says why, then hands Helidon the same bytes, which Helidon parses again
 * with the method's request marshaller, on the same thread, before it returns (its gRPC handler's
 * {@code data}). The check leaves what it parsed in {@link #HANDOFF} for the length of that call, and the
 * marshallers of {@link #of} return it when they are given exactly those bytes; any other parse (other
 * bytes, another thread) is the real marshaller's. A monitoring sample or a triage request parsed twice
 * cost a third of what receiving it allocated.
 */
public final class ParsedOnce {

    /** A message as received and as the wire check parsed it. */
    record Handoff(byte[] bytes, Object message) {
    }

    static final ScopedValue<Handoff> HANDOFF = ScopedValue.newInstance();

    private ParsedOnce() {
    }

    /** {@code service} with every method's request marshaller taking the wire check's parse of the same bytes. */
    public static BindableService of(BindableService service) {
        ServerServiceDefinition definition = service.bindService();
        ServiceDescriptor old = definition.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
                .setSchemaDescriptor(old.getSchemaDescriptor());
        for (ServerMethodDefinition<?, ?> m : definition.getMethods()) {
            ServerMethodDefinition<?, ?> cached = cached(m);
            descriptor.addMethod(cached.getMethodDescriptor());
            methods.add(cached);
        }
        ServerServiceDefinition.Builder rebuilt = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(rebuilt::addMethod);
        ServerServiceDefinition out = rebuilt.build();
        return () -> out;
    }

    private static <Q, R> ServerMethodDefinition<Q, R> cached(ServerMethodDefinition<Q, R> m) {
        MethodDescriptor<Q, R> md = m.getMethodDescriptor();
        MethodDescriptor<Q, R> withCache = md.toBuilder().setRequestMarshaller(marshaller(md.getRequestMarshaller()))
                .build();
        return ServerMethodDefinition.create(withCache, m.getServerCallHandler());
    }

    private static <T> MethodDescriptor.Marshaller<T> marshaller(MethodDescriptor.Marshaller<T> real) {
        return real instanceof MethodDescriptor.PrototypeMarshaller<T> proto ? new Prototype<>(proto) : real;
    }

    /** A protobuf request marshaller that takes the handed-off message; everything else is the real one's. */
    private record Prototype<T>(MethodDescriptor.PrototypeMarshaller<T> real) implements MethodDescriptor.PrototypeMarshaller<T> {

        @Override
        public InputStream stream(T value) {
            return real.stream(value);
        }

        @Override
        public T parse(InputStream in) {
            if (HANDOFF.isBound()) {
                Handoff h = HANDOFF.get();
                Class<T> type = real.getMessageClass();
                try {
                    if (type != null && type.isInstance(h.message()) && in.available() == h.bytes().length) {
                        byte[] bytes = in.readNBytes(h.bytes().length);
                        return Arrays.equals(bytes, h.bytes()) ? type.cast(h.message())
                                : real.parse(new ByteArrayInputStream(bytes));
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("a request being received could not be read", e);
                }
            }
            return real.parse(in);
        }

        @Override
        public T getMessagePrototype() {
            return real.getMessagePrototype();
        }

        @Override
        public Class<T> getMessageClass() {
            return real.getMessageClass();
        }
    }
}
