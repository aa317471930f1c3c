package dev.folio.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Each version's checksum verdict, kept until one of its files changes: hashing every version's weights on every
 * {@code GET /models} made a public read cost tens of milliseconds of disk and CPU. A verdict holds while every file in
 * the version keeps its size, modification time and file key (inode); loading a version always hashes it again.
 */
final class ChecksumVerdicts {

    /** A file as the verdict saw it. */
    private record Stamp(String name, long size, long modifiedNanos, Object fileKey) {}

    /** What was found, and the files it was found for; {@code problem} null when the checksums held. */
    private record Verdict(List<Stamp> files, String problem) {}

    private final Map<Path, Verdict> verdicts = new ConcurrentHashMap<>();
    private final AtomicLong hashed = new AtomicLong();

    /** Verifies with the verdict kept for this directory if its files are unchanged, by hashing them otherwise. */
    void verify(Path dir) throws IOException {
        List<Stamp> files = stamps(dir);
        Verdict known = verdicts.get(dir);
        if (known != null && known.files().equals(files)) {
            if (known.problem() != null) {
                throw new InvalidVersionException(known.problem());
            }
            return;
        }
        verifyNow(dir, files);
    }

    /** Hashes every file now (at load), whatever is known. */
    void verifyNow(Path dir) throws IOException {
        verifyNow(dir, stamps(dir));
    }

    /** Records a directory whose checksums were just written from its files (at publish) as verified. */
    void trust(Path dir) throws IOException {
        verdicts.put(dir, new Verdict(stamps(dir), null));
    }

    /** Forgets a directory (deleted). */
    void forget(Path dir) {
        verdicts.remove(dir);
    }

    /** Versions hashed since this store opened, for tests that a read does not hash. */
    long hashed() {
        return hashed.get();
    }

    private void verifyNow(Path dir, List<Stamp> files) throws IOException {
        hashed.incrementAndGet();
        try {
            Checksums.verify(dir);
            verdicts.put(dir, new Verdict(files, null));
        } catch (InvalidVersionException e) {
            verdicts.put(dir, new Verdict(files, e.getMessage()));
            throw e;
        }
    }

    private static List<Stamp> stamps(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().map(ChecksumVerdicts::stamp).toList();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Stamp stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(file.getFileName().toString(), attributes.size(), attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS),
                    attributes.fileKey());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
