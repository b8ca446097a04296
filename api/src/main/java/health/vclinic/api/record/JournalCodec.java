package health.vclinic.api.record;

import com.google.protobuf.InvalidProtocolBufferException;
import health.vclinic.api.record.RecordStore.AssessmentRow;
import health.vclinic.api.server.ClinicId;
import health.vclinic.api.server.PatientRef;
import health.vclinic.api.triage.v1.TriageAssessment;
import health.vclinic.api.triage.v1.TriageRequest;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * How an assessment is written in the record's {@link Journal}: framed as a negative length, the clinic id
 * and the entry sealed at rest like the database's rows ({@link health.vclinic.api.keys.FieldCipher}, context
 * {@value #CONTEXT}, the clinic's current data key). An entry framed with a positive length is one written in
 * clear by an earlier version and is still read. A record cut short by a crash mid-append is the last one of
 * its file and is dropped on reading.
 *
 * <p>Sealing needs the clinic's data key while the database that holds it may be down: the key ring keeps
 * the last key it had while the database cannot be reached (the default clinic's from the record's start,
 * another clinic's from its first use in this process). Limit: a clinic whose key this process never held
 * (no assessment since start) cannot be journaled during an outage; its assessment is answered unkept
 * rather than kept in clear.
 */
final class JournalCodec {

    static final String CONTEXT = "spool.assessment";

    private final health.vclinic.api.keys.FieldCipher cipher;

    JournalCodec(health.vclinic.api.keys.FieldCipher cipher) {
        this.cipher = cipher;
    }

    /** The entry as appended: its framing, then the clinic id and the sealed assessment. */
    byte[] framed(AssessmentRow row) throws IOException {
        byte[] one = sealed(row);
        ByteArrayOutputStream buf = new ByteArrayOutputStream(one.length + 4);
        DataOutputStream out = new DataOutputStream(buf);
        out.writeInt(-one.length);
        out.write(one);
        out.flush();
        return buf.toByteArray();
    }

    /** Every complete entry of {@code file}, oldest first. */
    List<AssessmentRow> readAll(Path file) throws IOException {
        List<AssessmentRow> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return rows;
        }
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            while (true) {
                byte[] one;
                int length;
                try {
                    length = in.readInt();
                    one = new byte[Math.abs(length)];
                    in.readFully(one);
                } catch (EOFException torn) {
                    return rows;
                }
                rows.add(decode(length < 0 ? opened(one) : one));
            }
        }
    }

    /** The clinic id, then the entry sealed for it. */
    private byte[] sealed(AssessmentRow r) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeUTF(r.clinic().value());
        try {
            out.write(cipher.seal(r.clinic(), encode(r), CONTEXT));
        } catch (health.vclinic.api.keys.EncryptionException e) {
            throw new IOException("cannot seal a spooled assessment: " + e.reason(), e);
        }
        out.flush();
        return buf.toByteArray();
    }

    private byte[] opened(byte[] one) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(one));
        ClinicId clinic = new ClinicId(in.readUTF());
        try {
            return cipher.open(clinic, in.readAllBytes(), CONTEXT);
        } catch (health.vclinic.api.keys.EncryptionException e) {
            throw new IOException("a spooled assessment does not open: " + e.reason(), e);
        }
    }

    private static byte[] encode(AssessmentRow r) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        out.writeLong(r.recordId().getMostSignificantBits());
        out.writeLong(r.recordId().getLeastSignificantBits());
        out.writeUTF(r.clinic().value());
        out.writeUTF(r.patient().map(PatientRef::value).orElse(""));
        out.writeLong(r.assessedAt().getEpochSecond());
        out.writeInt(r.assessedAt().getNano());
        out.writeLong(r.latencyMicros());
        byte[] request = r.request().toByteArray();
        out.writeInt(request.length);
        out.write(request);
        byte[] result = r.result().toByteArray();
        out.writeInt(result.length);
        out.write(result);
        // Who asked, for the audit entry written with the row when it is replayed (absent in old spools).
        out.writeBoolean(r.access().isPresent());
        if (r.access().isPresent()) {
            health.vclinic.api.security.Caller c = r.access().get().caller();
            out.writeUTF(c.role().wireName());
            out.writeUTF(c.subject());
            out.writeUTF(c.tokenId());
            out.writeUTF(r.access().get().requestId());
        }
        out.flush();
        return buf.toByteArray();
    }

    private static AssessmentRow decode(byte[] one) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(one));
        UUID id = new UUID(in.readLong(), in.readLong());
        ClinicId clinic = new ClinicId(in.readUTF());
        String ref = in.readUTF();
        Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
        long latency = in.readLong();
        try {
            TriageRequest request = TriageRequest.parseFrom(in.readNBytes(in.readInt()));
            TriageAssessment result = TriageAssessment.parseFrom(in.readNBytes(in.readInt()));
            Optional<health.vclinic.api.audit.Access> access = Optional.empty();
            if (in.available() > 0 && in.readBoolean()) {
                access = Optional.of(new health.vclinic.api.audit.Access(new health.vclinic.api.security.Caller(clinic,
                        health.vclinic.api.security.Role.parse(in.readUTF()), in.readUTF(), in.readUTF()), in.readUTF()));
            }
            return new AssessmentRow(id, clinic, ref.isEmpty() ? Optional.empty() : Optional.of(new PatientRef(ref)),
                    at, latency, request, result, access);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("a spooled assessment does not parse", e);
        }
    }
}
