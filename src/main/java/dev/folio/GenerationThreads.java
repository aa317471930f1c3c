package dev.folio;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generation pool's threads: named, daemon, and counted when an exception escapes one (which ends the thread; the
 * pool starts another). Nothing should escape: a client that leaves is an ordinary end, not an error.
 */
public final class GenerationThreads implements ThreadFactory {

    private static final Logger log = LoggerFactory.getLogger(GenerationThreads.class);

    private final AtomicInteger created = new AtomicInteger();
    private final AtomicLong uncaught = new AtomicLong();

    @Override
    public Thread newThread(Runnable runnable) {
        Thread thread = new Thread(runnable, "generation-" + created.incrementAndGet());
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler((t, e) -> {
            uncaught.incrementAndGet();
            log.error("an exception escaped {}", t.getName(), e);
        });
        return thread;
    }

    /** Threads started so far (a pool that loses a thread to an exception starts a new one). */
    public int created() {
        return created.get();
    }

    /** Exceptions that escaped a task and ended its thread. */
    public long uncaught() {
        return uncaught.get();
    }
}
