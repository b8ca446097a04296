package health.vclinic.api.record;

import health.vclinic.api.record.RecordStore.SealedAssessment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The local journal of assessments, the write-ahead half of the record: every assessment is appended here
 * before it is answered, numbered in order, and the record's writer commits it to the database behind the
 * answer. An appended entry is in the operating system's hands, so a crash of the service between the
 * answer and the commit loses nothing: at the next start the journal is read back and written under the
 * same ids ({@link RecordStore#insertAssessments} skips ids already present). The journal is forced to
 * disk whenever the database cannot take it (an outage); in normal running the database's commit, a few
 * milliseconds behind the answer, is what reaches the disk.
 *
 * <p>Files: {@code segment-<n>.journal} in one directory, appended, never rewritten. A segment is closed
 * once it passes {@link #SEGMENT_BYTES} and deleted as soon as every entry in it is committed; the open
 * segment is emptied whenever everything appended is committed, so at rest the journal is empty. The
 * whole journal is bounded ({@code maxBytes}): past it an assessment is answered without being kept.
 * A spool file of an earlier version (same framing) is read back as the oldest segment.
 *
 * <p>One process owns a journal directory (a lock on its {@code lock} file): a second one opened on the same
 * data directory, such as {@code vclinic admin} beside a running server, leaves the journal to its owner,
 * recovers nothing and cannot append.
 *
 * <p>Entries are framed and sealed at rest as {@link JournalCodec} says. Thread-safe: request threads
 * append, the writer reports commits.
 */
final class Journal {

    /** Size past which the open segment is closed and a new one started. */
    static final long SEGMENT_BYTES = 4L << 20;

    /** An assessment with its place in the journal. */
    record Entry(long sequence, SealedAssessment row) {
    }

    private record Segment(Path file, long lastSequence, long bytes) {
    }

    private final Path dir;
    private final long maxBytes;
    private final JournalCodec codec;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Segment> closed = new ArrayDeque<>();
    private final List<Entry> recovered;
    private final Optional<FileChannel> owner;
    // Guarded by lock.
    private FileChannel open;
    private Path openFile;
    private long openBytes;
    private long nextSegment;
    private long closedBytes;
    private long appended;
    private long committed;

    /**
     * Opens the journal in {@code dir}, reading back every entry a previous run left (see {@link #recovered}).
     *
     * @param legacySpool the spool file of an earlier version, read back first when present
     */
    Journal(Path dir, Optional<Path> legacySpool, long maxBytes, JournalCodec codec) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.codec = codec;
        try {
            Files.createDirectories(dir);
            ownerOnly(dir, "rwx------");
            owner = owned(dir.resolve("lock"));
            if (owner.isEmpty()) {
                recovered = List.of();
                return;
            }
            List<Path> files = new ArrayList<>();
            legacySpool.filter(Files::isRegularFile).ifPresent(files::add);
            List<Path> segments;
            try (Stream<Path> list = Files.list(dir)) {
                segments = list.filter(p -> p.getFileName().toString().matches("segment-\\d+\\.journal")).sorted().toList();
            }
            files.addAll(segments);
            nextSegment = segments.isEmpty() ? 1 : number(segments.getLast()) + 1;
            List<Entry> back = new ArrayList<>();
            for (Path f : files) {
                for (SealedAssessment row : codec.readAll(f)) {
                    back.add(new Entry(++appended, row));
                }
                long size = Files.size(f);
                closed.add(new Segment(f, appended, size));
                closedBytes += size;
            }
            recovered = List.copyOf(back);
            startSegment();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the record journal " + dir, e);
        }
    }

    /** The entries a previous run appended and may not have committed, oldest first. */
    List<Entry> recovered() {
        return recovered;
    }

    /**
     * Appends {@code row} and hands it, numbered, to {@code next} while still holding the journal's order,
     * so that whoever takes entries from {@code next} sees them in sequence.
     *
     * @return the entry's sequence, or empty when the journal is at its bound (nothing written)
     */
    OptionalLong append(SealedAssessment row, Consumer<Entry> next) throws IOException {
        if (owner.isEmpty()) {
            throw new IOException("the record journal belongs to another process on this data directory");
        }
        byte[] framed = codec.framed(row);
        lock.lock();
        try {
            if (closedBytes + openBytes + framed.length > maxBytes) {
                return OptionalLong.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(framed);
            while (b.hasRemaining()) {
                open.write(b);
            }
            openBytes += framed.length;
            Entry e = new Entry(++appended, row);
            next.accept(e);
            if (openBytes >= SEGMENT_BYTES) {
                rotate();
            }
            return OptionalLong.of(e.sequence());
        } finally {
            lock.unlock();
        }
    }

    /** Everything appended so far, to disk (when the database cannot take it). */
    void force() throws IOException {
        lock.lock();
        try {
            if (open != null) {
                open.force(false);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Every entry up to {@code sequence} is committed to the database: segments holding only such entries
     * are deleted, and the open one is emptied when nothing newer was appended.
     */
    void committed(long sequence) throws IOException {
        lock.lock();
        try {
            committed = Math.max(committed, sequence);
            while (!closed.isEmpty() && closed.peekFirst().lastSequence() <= committed) {
                Segment s = closed.removeFirst();
                Files.deleteIfExists(s.file());
                closedBytes -= s.bytes();
            }
            if (committed == appended && openBytes > 0 && open != null) {
                open.truncate(0);
                openBytes = 0;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The last sequence appended. */
    long appended() {
        lock.lock();
        try {
            return appended;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the open segment, so that every entry appended so far leaves the disk with the commit of the
     * newest of them (an erasure waits for that: nothing of the patient stays in the journal).
     *
     * @return the last sequence appended
     */
    long seal() throws IOException {
        lock.lock();
        try {
            if (openBytes > 0 && open != null) {
                rotate();
            }
            return appended;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes the journal holds. */
    long bytes() {
        lock.lock();
        try {
            return closedBytes + openBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the open segment's file; what it holds stays for the next start. */
    void close() {
        lock.lock();
        try {
            if (open != null) {
                open.close();
            }
            if (owner.isPresent()) {
                owner.get().close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the record journal", e);
        } finally {
            lock.unlock();
        }
    }

    private void rotate() throws IOException {
        open.close();
        closed.add(new Segment(openFile, appended, openBytes));
        closedBytes += openBytes;
        startSegment();
        // Entries already committed (all of the closed segment's, when the writer is ahead) go at once.
        committed(committed);
    }

    private void startSegment() throws IOException {
        openFile = dir.resolve(String.format(java.util.Locale.ROOT, "segment-%016d.journal", nextSegment++));
        open = FileChannel.open(openFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        ownerOnly(openFile, "rw-------");
        openBytes = 0;
    }

    /** Patient data, even sealed, readable by the service's user only (where the file system has owners). */
    private static void ownerOnly(Path path, String permissions) throws IOException {
        if (Files.getFileStore(path).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString(permissions));
        }
    }

    /** The journal's lock, or empty when another process (or another record in this one) holds it. */
    private static Optional<FileChannel> owned(Path lockFile) throws IOException {
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (ch.tryLock() != null) {
                return Optional.of(ch);
            }
        } catch (java.nio.channels.OverlappingFileLockException held) {
            // Held by another record of this process.
        }
        ch.close();
        return Optional.empty();
    }

    private static long number(Path segment) {
        String name = segment.getFileName().toString();
        return Long.parseLong(name.substring("segment-".length(), name.length() - ".journal".length()));
    }
}
