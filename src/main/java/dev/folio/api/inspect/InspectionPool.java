package dev.folio.api.inspect;

import dev.folio.api.InvalidRequestException;
import dev.folio.api.WorkPool;
import dev.folio.engine.IntraOpThreads;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * The inspections' own threads: a fixed few, one libtorch thread each, with a short queue (beyond it, 429 at once) and
 * a processor-time budget per inspection. Never the decode scheduler's thread, so generation keeps its core.
 */
@Component
public class InspectionPool implements AutoCloseable {

    private final WorkPool pool;
    private final InspectProperties limits;

    public InspectionPool(InspectProperties limits) {
        this.limits = limits;
        this.pool = new WorkPool("inspect", limits.threads(), limits.maxQueued(), "inspections are already waiting for a thread");
    }

    /**
     * Runs {@code work} on an inspection thread and waits for its answer. Past its processor-time budget the work is
     * interrupted and refused (422), but only once it has stopped: it reads a model version the caller holds, which must
     * not be let go while a pass still runs on it.
     */
    public <T> T run(Supplier<T> work) {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        Optional<T> answer = WorkPool.await(pool.submit(() -> {
            try {
                IntraOpThreads.set(1);
                return Optional.of(work.get());
            } finally {
                stopped.complete(null);
            }
        }, limits.maxWorkTime(), Optional::empty));
        if (answer.isPresent()) {
            return answer.get();
        }
        stopped.join(); // a pass is not interruptible; the loops between passes check for interruption
        throw new InvalidRequestException("the inspection took more than " + limits.maxWorkTime().toMillis()
                + " ms of processor time (folio.inspect.max-work-time); ask for a shorter text, fewer hooks, a smaller sweep or fewer tokens");
    }

    /** Inspections waiting for a thread (for tests and metrics). */
    public int queued() {
        return pool.queued();
    }

    @Override
    public void close() {
        pool.close();
    }
}
