package health.vclinic.api.record;

import com.google.protobuf.InvalidProtocolBufferException;
import health.vclinic.api.record.RecordStore.AssessmentRow;
import health.vclinic.api.record.RecordStore.SealedAssessment;
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
 * How an assessment is written in the record's {@link Journal}: as its database row will hold it
 * ({@link RecordStore.SealedAssessment}: the request, the answer and the patient reference already sealed
 * at rest for their columns, the rest what the row keeps in clear), framed as a marker, a length and the
 * fields. So an assessment is sealed once, and the journal holds nothing the database would not.
 *
 * <p>Entries of an earlier version are still read: a negative length frames an entry sealed whole
 * ({@link health.vclinic.api.keys.FieldCipher}, context {@value #CONTEXT}, the clinic's data key), a
 * positive one an entry in clear; both are sealed as rows on reading. A record cut short by a crash
 * mid-append is the last one of its file and is dropped on reading.
 *
 * <p>Sealing needs the clinic's data key while the database that holds it may be down: the key ring keeps
 * the last key it had while the database cannot be reached (the default clinic's from the record's start,
 * another clinic's from its first use in this process). Limit: a clinic whose key this process never held
 * (no assessment since start) cannot be journaled during an outage; its assessment is answered unkept
 * rather than kept in clear.
 */
final class JournalCodec {

    static final String CONTEXT = "spool.assessment";
    /** Frames an entry of this version (a row's fields); earlier versions framed a signed length. */
    private static final int ROW_MARKER = Integer.MIN_VALUE;

    /** Seals an assessment of an earlier version's journal as its row. */
    @FunctionalInterface
    interface Sealer {
        SealedAssessment seal(AssessmentRow row) throws java.sql.SQLException;
    }

    private final health.vclinic.api.keys.FieldCipher cipher;
    private final Sealer sealer;

    JournalCodec(health.vclinic.api.keys.FieldCipher cipher, Sealer sealer) {
        this.cipher = cipher;
        this.sealer = sealer;
    }

    /** The entry as appended: the marker, its length, then the row's fields. */
    byte[] framed(SealedAssessment a) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(a.request().length + a.result().length + 512);
        DataOutputStream out = new DataOutputStream(buf);
        out.writeInt(ROW_MARKER);
        out.writeInt(0); // the body's length, set below
        out.writeLong(a.recordId().getMostSignificantBits());
        out.writeLong(a.recordId().getLeastSignificantBits());
        out.writeUTF(a.clinic().value());
        out.writeUTF(a.patientLookup().orElse(""));
        bytes(out, a.patientRefSealed().orElse(new byte[0]));
        out.writeLong(a.assessedAt().getEpochSecond());
        out.writeInt(a.assessedAt().getNano());
        out.writeLong(a.latencyMicros());
        out.writeInt(a.level());
        out.writeUTF(a.decidedBy());
        strings(out, a.modelVersions());
        bytes(out, a.request());
        bytes(out, a.result());
        strings(out, a.reviewKinds());
        access(out, a.access());
        out.flush();
        byte[] framed = buf.toByteArray();
        java.nio.ByteBuffer.wrap(framed).putInt(4, framed.length - 8);
        return framed;
    }

    /** Every complete entry of {@code file}, oldest first. */
    List<SealedAssessment> readAll(Path file) throws IOException {
        List<SealedAssessment> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return rows;
        }
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            while (true) {
                byte[] one;
                int length;
                try {
                    length = in.readInt();
                    one = new byte[length == ROW_MARKER ? in.readInt() : Math.abs(length)];
                    in.readFully(one);
                } catch (EOFException torn) {
                    return rows;
                }
                rows.add(length == ROW_MARKER ? row(one) : earlier(decode(length < 0 ? opened(one) : one)));
            }
        }
    }

    private SealedAssessment row(byte[] one) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(one));
        UUID id = new UUID(in.readLong(), in.readLong());
        ClinicId clinic = new ClinicId(in.readUTF());
        String lookup = in.readUTF();
        byte[] refSealed = bytes(in);
        Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
        long latency = in.readLong();
        int level = in.readInt();
        String decidedBy = in.readUTF();
        List<String> models = strings(in);
        byte[] request = bytes(in);
        byte[] result = bytes(in);
        List<String> review = strings(in);
        Optional<health.vclinic.api.audit.Access> access = access(in, clinic);
        Optional<PatientRef> patient = Optional.empty();
        if (refSealed.length > 0) {
            try {
                patient = Optional.of(new PatientRef(new String(cipher.open(clinic, refSealed,
                        RecordStore.PATIENT_REF_CONTEXT), java.nio.charset.StandardCharsets.UTF_8)));
            } catch (health.vclinic.api.keys.EncryptionException e) {
                throw new IOException("a journaled patient reference does not open: " + e.reason(), e);
            }
        }
        return new SealedAssessment(id, clinic, patient, lookup.isEmpty() ? Optional.empty() : Optional.of(lookup),
                refSealed.length == 0 ? Optional.empty() : Optional.of(refSealed), at, latency, level, decidedBy,
                models, request, result, review, access);
    }

    private SealedAssessment earlier(AssessmentRow row) throws IOException {
        try {
            return sealer.seal(row);
        } catch (java.sql.SQLException e) {
            throw new IOException("cannot seal an assessment of an earlier journal", e);
        }
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        return in.readNBytes(in.readInt());
    }

    private static void strings(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            out.writeUTF(s);
        }
    }

    private static List<String> strings(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(in.readUTF());
        }
        return List.copyOf(out);
    }

    /** Who asked, for the audit entry written with the row. */
    private static void access(DataOutputStream out, Optional<health.vclinic.api.audit.Access> access) throws IOException {
        out.writeBoolean(access.isPresent());
        if (access.isPresent()) {
            health.vclinic.api.security.Caller c = access.get().caller();
            out.writeUTF(c.role().wireName());
            out.writeUTF(c.subject());
            out.writeUTF(c.tokenId());
            out.writeUTF(access.get().requestId());
        }
    }

    private static Optional<health.vclinic.api.audit.Access> access(DataInputStream in, ClinicId clinic) throws IOException {
        if (in.available() > 0 && in.readBoolean()) {
            return Optional.of(new health.vclinic.api.audit.Access(new health.vclinic.api.security.Caller(clinic,
                    health.vclinic.api.security.Role.parse(in.readUTF()), in.readUTF(), in.readUTF()), in.readUTF()));
        }
        return Optional.empty();
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
            Optional<health.vclinic.api.audit.Access> access = access(in, clinic);
            return new AssessmentRow(id, clinic, ref.isEmpty() ? Optional.empty() : Optional.of(new PatientRef(ref)),
                    at, latency, request, result, access);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("a spooled assessment does not parse", e);
        }
    }
}
