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
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The local spool of assessments answered while the database was unreachable: one append-only file,
 * forced to disk before the answer leaves, bounded in bytes, read back whole when the database returns.
 * A record cut short by a crash mid-append is the last one and is dropped on reading (it was never
 * answered: the answer waits for the force).
 *
 * <p>Each entry is sealed at rest like the database's rows ({@link health.vclinic.api.keys.FieldCipher},
 * context {@value #CONTEXT}, the clinic's current data key) and framed as a negative length, the clinic id
 * and the envelope; an entry framed with a positive length is one written in clear by an earlier version and
 * is still read. Sealing needs the clinic's data key while the database that holds it is down: the key ring
 * keeps the last key it had while the database cannot be reached (the default clinic's from the record's
 * start, another clinic's from its first use in this process). Limit: a clinic whose key this process never
 * held (no assessment since start) cannot be spooled during an outage; its batch is refused as unwritable
 * rather than kept in clear.
 *
 * <p>Used by one writer thread only.
 */
final class Spool {

    static final String CONTEXT = "spool.assessment";

    private final Path file;
    private final long maxBytes;
    private final health.vclinic.api.keys.FieldCipher cipher;
    private long bytes;
    private int entries;

    Spool(Path file, long maxBytes, health.vclinic.api.keys.FieldCipher cipher) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.cipher = cipher;
        try {
            Files.createDirectories(file.getParent());
            this.bytes = Files.isRegularFile(file) ? Files.size(file) : 0;
            this.entries = bytes == 0 ? 0 : readAll().size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the record spool " + file, e);
        }
    }

    /**
     * Appends a batch and forces it to disk.
     *
     * @return false, writing nothing, when the batch would take the spool over its bound
     */
    boolean append(List<AssessmentRow> rows) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        for (AssessmentRow r : rows) {
            byte[] one = sealed(r);
            out.writeInt(-one.length);
            out.write(one);
        }
        if (bytes + buf.size() > maxBytes) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(buf.toByteArray());
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        bytes += buf.size();
        entries += rows.size();
        return true;
    }

    /** Every complete entry, oldest first. */
    List<AssessmentRow> readAll() throws IOException {
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

    /** Forgets every entry (after they were committed to the database). */
    void clear() throws IOException {
        Files.deleteIfExists(file);
        bytes = 0;
        entries = 0;
    }

    int entries() {
        return entries;
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
