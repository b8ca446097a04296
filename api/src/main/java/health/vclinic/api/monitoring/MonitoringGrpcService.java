package health.vclinic.api.monitoring;

import health.vclinic.api.monitoring.v1.Alert;
import health.vclinic.api.monitoring.v1.MonitoringServiceGrpc;
import health.vclinic.api.monitoring.v1.VitalSample;
import health.vclinic.api.security.Caller;
import health.vclinic.api.server.ClinicId;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;

/**
 * {@code vclinic.monitoring.v1.MonitoringService}: the bidirectional {@code Monitor} stream over the
 * shared {@link MonitoringEndpoint}. The call handler is written against {@link ServerCall} directly
 * (not a StreamObserver) because flow control is the point of this service: see {@link MonitorCall}.
 */
public final class MonitoringGrpcService implements BindableService {

    private final MonitoringEndpoint endpoint;

    public MonitoringGrpcService(MonitoringEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public ServerServiceDefinition bindService() {
        ServerCallHandler<VitalSample, Alert> handler = new ServerCallHandler<>() {
            @Override
            public ServerCall.Listener<VitalSample> startCall(ServerCall<VitalSample, Alert> call, Metadata headers) {
                // The clinic from the token: the stream reaches only that clinic's patients.
                ClinicId clinic = Caller.current().clinic();
                return MonitorCall.start(call, endpoint.engine(clinic), clinic, endpoint.limits(), endpoint.recorder(),
                        endpoint.vitalsRecorder());
            }
        };
        return ServerServiceDefinition.builder(MonitoringServiceGrpc.getServiceDescriptor())
                .addMethod(MonitoringServiceGrpc.getMonitorMethod(), handler)
                .build();
    }
}
