package dev.folio.inference;

import java.util.concurrent.Semaphore;

/** At most N at once (generations, by default); the N+1st is refused at once (the API answers 429), never queued to hang. */
public final class ConcurrencyLimiter {

    private final int limit;
    private final Semaphore permits;
    private final String busy;

    public ConcurrencyLimiter(int limit) {
        this(limit, "generations are already running");
    }

    /** @param busy what the refusal says after the count, e.g. "texts are already being scored" */
    public ConcurrencyLimiter(int limit, String busy) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.limit = limit;
        this.permits = new Semaphore(limit);
        this.busy = busy;
    }

    public int limit() {
        return limit;
    }

    public int inFlight() {
        return limit - permits.availablePermits();
    }

    /** A permit to close when the generation ends. */
    public Permit acquire() {
        if (!permits.tryAcquire()) {
            throw new OverloadedException("Model is overloaded: " + limit + " " + busy + "; retry shortly");
        }
        return new Permit(permits);
    }

    /** One running generation's place. */
    public static final class Permit implements AutoCloseable {
        private final Semaphore permits;
        private boolean released;

        private Permit(Semaphore permits) {
            this.permits = permits;
        }

        @Override
        public synchronized void close() {
            if (!released) {
                released = true;
                permits.release();
            }
        }
    }

    /** Every generation slot is taken. */
    public static final class OverloadedException extends RuntimeException {
        public OverloadedException(String message) {
            super(message);
        }
    }
}
