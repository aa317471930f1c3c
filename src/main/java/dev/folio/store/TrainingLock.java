package dev.folio.store;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run at a time per model, across processes and pods sharing the store: a lock file
 * created atomically ({@code O_EXCL}), naming its owner, its run and its stale period, and refreshed by
 * a heartbeat. A lock whose owner is a dead process on this host, or whose heartbeat is older than
 * {@code staleAfter} (a crashed pod), is taken over. Its times stay on the system clock, not the store's: they are compared
 * with file modification times, which the kernel stamps.
 */
public final class TrainingLock implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrainingLock.class);
    static final String FILE_NAME = "training.lock";

    private final Path file;
    private final ScheduledExecutorService heartbeat;

    private TrainingLock(Path file, Duration heartbeatEvery) {
        this.file = file;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "training-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, heartbeatEvery.toMillis());
        heartbeat.scheduleAtFixedRate(this::touch, period, period, TimeUnit.MILLISECONDS);
    }

    /** The lock, or empty when a live run holds it. */
    public static Optional<TrainingLock> tryAcquire(Path modelDir, String runId, Duration staleAfter) throws IOException {
        Files.createDirectories(modelDir);
        Path file = modelDir.resolve(FILE_NAME);
        String owner = ownerId();
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                Files.writeString(file, owner + " " + runId + " " + Instant.now() + " " + Math.max(1, staleAfter.toSeconds()) + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                return Optional.of(new TrainingLock(file, staleAfter.dividedBy(4)));
            } catch (FileAlreadyExistsException held) {
                if (!isStale(file, staleAfter)) {
                    return Optional.empty();
                }
                log.warn("taking over a stale training lock {}: {}", file, describe(file));
                Files.deleteIfExists(file);
            }
        }
        return Optional.empty();
    }

    /**
     * Who holds a model's lock.
     *
     * @param owner pid@host of the process that took it
     * @param runId the run it took it for
     * @param live whether that holder still counts: its process is alive (same host) or its heartbeat is fresh
     */
    public record Holder(String owner, String runId, boolean live) {}

    /**
     * The holder of a model's lock, if there is a lock file; whether it is live is judged as a takeover would, with the
     * holder's own stale period when the file names one (else {@code staleAfter}).
     */
    public static Optional<Holder> holder(Path modelDir, Duration staleAfter) throws IOException {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String[] fields = describe(file).split(" ");
        Duration period = staleAfter;
        if (fields.length > 3) {
            try {
                period = Duration.ofSeconds(Long.parseLong(fields[3]));
            } catch (NumberFormatException ignored) {
                // an older lock file: the caller's period
            }
        }
        try {
            return Optional.of(new Holder(fields[0], fields.length > 1 ? fields[1] : "", !isStale(file, period)));
        } catch (java.nio.file.NoSuchFileException released) {
            return Optional.empty();
        }
    }

    /** Who holds the lock, for messages. */
    public static String describe(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    private static boolean isStale(Path file, Duration staleAfter) throws IOException {
        String[] fields = describe(file).split(" ");
        String[] owner = fields.length > 0 ? fields[0].split("@", 2) : new String[0];
        if (owner.length == 2 && owner[1].equals(hostName())) {
            try {
                long pid = Long.parseLong(owner[0]);
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    return false; // a live process on this host holds it
                }
                if (pid != ProcessHandle.current().pid()) {
                    return true; // its process is gone
                }
            } catch (NumberFormatException ignored) {
                // fall through to the heartbeat's age
            }
        }
        FileTime modified = Files.getLastModifiedTime(file);
        return modified.toInstant().isBefore(Instant.now().minus(staleAfter));
    }

    private static String ownerId() {
        return ProcessHandle.current().pid() + "@" + hostName();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }

    private void touch() {
        try {
            Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
        } catch (IOException e) {
            log.warn("could not refresh the training lock {}: {}", file, e.getMessage());
        }
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not remove the training lock {}: {}", file, e.getMessage());
        }
    }
}
