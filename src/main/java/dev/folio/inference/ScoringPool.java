package dev.folio.inference;

import dev.folio.engine.IntraOpThreads;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Runs whole-text scoring ({@code /logits}) off the request threads, on a fixed set of threads with one
 * libtorch thread each, in arrival order. At most {@code admitted} texts are scored or waiting at once; the
 * next is refused at once (429), so the wait stays bounded. A fixed set of threads matters for memory, not only
 * for the cores: libtorch keeps native memory per thread that ever ran it, so scoring on whichever request
 * thread came along would grow RSS with the request pool.
 */
public final class ScoringPool implements AutoCloseable {

    private final ConcurrencyLimiter limiter;
    private final ExecutorService threads;
    private final AtomicLong scored = new AtomicLong();

    public ScoringPool(int threadCount, int admitted) {
        this.limiter = new ConcurrencyLimiter(admitted, "texts are already being scored or waiting");
        AtomicInteger counter = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threadCount, runnable -> {
            Thread thread = new Thread(runnable, "scoring-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Runs {@code work} on a scoring thread and waits for it.
     *
     * @throws ConcurrencyLimiter.OverloadedException at once when {@code admitted} texts are being scored or waiting
     */
    public <T> T run(Supplier<T> work) {
        try (ConcurrencyLimiter.Permit ignored = limiter.acquire()) {
            Future<T> result = threads.submit(() -> {
                IntraOpThreads.set(1); // one core per text: the decode scheduler keeps the other
                scored.incrementAndGet();
                return work.get();
            });
            try {
                return result.get();
            } catch (InterruptedException e) {
                result.cancel(true);
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while scoring");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Texts that have started scoring since the pool started. */
    public long scored() {
        return scored.get();
    }

    public int inFlight() {
        return limiter.inFlight();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
