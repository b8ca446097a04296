package health.vclinic.api.grpcwire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import health.vclinic.api.TestSupport;
import health.vclinic.api.triage.TriageEndpoint;
import health.vclinic.api.triage.v1.TriageRequest;
import health.vclinic.api.triage.v1.TriageServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The request marshallers of {@link ParsedOnce}: given the very bytes the wire check parsed, they return its
 * message without parsing; given other bytes, or outside a hand-off, the real marshaller parses.
 */
class ParsedOnceTest {

    private final AtomicInteger parses = new AtomicInteger();
    private final MethodDescriptor.Marshaller<TriageRequest> marshaller = wrapped();
    private final TriageRequest request = TriageEndpoint.parseJson(TestSupport.exampleLines().getFirst());
    private final byte[] bytes = request.toByteArray();

    @Test
    void theSameBytesGiveTheHandedOffMessageWithoutAParse() throws Exception {
        TriageRequest parsed = TriageRequest.parseFrom(bytes);
        TriageRequest got = ScopedValue.where(ParsedOnce.HANDOFF, new ParsedOnce.Handoff(bytes, parsed))
                .call(() -> marshaller.parse(new ByteArrayInputStream(bytes)));
        assertSame(parsed, got);
        assertEquals(0, parses.get());
    }

    @Test
    void otherBytesOfTheSameLengthAreParsedByTheRealMarshaller() throws Exception {
        byte[] other = request.toBuilder().setPatientRef("pt-other-01").build().toByteArray();
        byte[] handed = request.toBuilder().setPatientRef("pt-handed-1").build().toByteArray();
        assertEquals(other.length, handed.length);
        TriageRequest got = ScopedValue.where(ParsedOnce.HANDOFF,
                new ParsedOnce.Handoff(handed, TriageRequest.parseFrom(handed)))
                .call(() -> marshaller.parse(new ByteArrayInputStream(other)));
        assertEquals("pt-other-01", got.getPatientRef());
        assertEquals(1, parses.get());
    }

    @Test
    void withoutAHandOffTheRealMarshallerParses() {
        assertEquals(request, marshaller.parse(new ByteArrayInputStream(bytes)));
        assertEquals(1, parses.get());
    }

    /** Assess with a counting request marshaller, through {@link ParsedOnce#of}. */
    private MethodDescriptor.Marshaller<TriageRequest> wrapped() {
        MethodDescriptor.PrototypeMarshaller<TriageRequest> real =
                (MethodDescriptor.PrototypeMarshaller<TriageRequest>) ProtoUtils.marshaller(TriageRequest.getDefaultInstance());
        MethodDescriptor.PrototypeMarshaller<TriageRequest> counting = new MethodDescriptor.PrototypeMarshaller<>() {
            @Override
            public InputStream stream(TriageRequest value) {
                return real.stream(value);
            }

            @Override
            public TriageRequest parse(InputStream in) {
                parses.incrementAndGet();
                return real.parse(in);
            }

            @Override
            public TriageRequest getMessagePrototype() {
                return real.getMessagePrototype();
            }

            @Override
            public Class<TriageRequest> getMessageClass() {
                return real.getMessageClass();
            }
        };
        var assess = TriageServiceGrpc.getAssessMethod().toBuilder().setRequestMarshaller(counting).build();
        ServerServiceDefinition definition = ServerServiceDefinition.builder(
                        ServiceDescriptor.newBuilder(TriageServiceGrpc.SERVICE_NAME).addMethod(assess).build())
                .addMethod(assess, ServerCalls.asyncUnaryCall((req, out) -> out.onCompleted())).build();
        @SuppressWarnings("unchecked")
        MethodDescriptor.Marshaller<TriageRequest> out = (MethodDescriptor.Marshaller<TriageRequest>) ParsedOnce
                .of(() -> definition).bindService().getMethods().iterator().next().getMethodDescriptor()
                .getRequestMarshaller();
        return out;
    }
}
