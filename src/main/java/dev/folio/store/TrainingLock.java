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
 * created atomically ({@code O_EXCL}), naming its owner and refreshed by a heartbeat. A lock whose
 * owner is a dead process on this host, or whose heartbeat is older than {@code staleAfter} (a crashed
 * pod), is taken over.
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
                Files.writeString(file, owner + " " + runId + " " + Instant.now() + "\n", StandardCharsets.UTF_8,
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
