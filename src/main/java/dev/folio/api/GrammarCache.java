package dev.folio.api;

import dev.folio.grammar.TokenGrammar;
import dev.folio.inference.ConcurrencyLimiter;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Compiled grammars and refusals, by grammar and vocabulary, the most recently used kept. A refusal is remembered as a
 * success is, so a grammar that is finally refused costs its compile once, not on every request; and a key compiles
 * once at a time: concurrent requests for the same grammar share the compile in flight.
 */
public final class GrammarCache {

    /**
     * @param type regex, json_schema or json_object
     * @param value the pattern or schema ("" for json_object)
     * @param vocabulary the model's tokens in id order
     */
    public record Key(String type, String value, String vocabulary) {}

    /** A compiled grammar, or why there is none (in the client's terms, without the request's field name). */
    public record Outcome(TokenGrammar grammar, String refusal) {

        public Outcome {
            if ((grammar == null) == (refusal == null)) {
                throw new IllegalArgumentException("an outcome is a grammar or a refusal");
            }
        }

        public static Outcome compiled(TokenGrammar grammar) {
            return new Outcome(Objects.requireNonNull(grammar), null);
        }

        public static Outcome refused(String why) {
            return new Outcome(null, Objects.requireNonNull(why));
        }
    }

    private final Function<Key, CompletableFuture<Outcome>> compile;
    private final Map<Key, Outcome> done;
    private final Map<Key, CompletableFuture<Outcome>> inFlight = new HashMap<>();
    private final Map<Key, Integer> waiters = new HashMap<>();
    private final AtomicLong compiles = new AtomicLong();

    /**
     * @param capacity outcomes remembered
     * @param compile starts compiling a key (on a pool); it may refuse to start by throwing (a 429), and then nothing is
     *     remembered
     */
    public GrammarCache(int capacity, Function<Key, CompletableFuture<Outcome>> compile) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.compile = compile;
        this.done = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Outcome> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The outcome for {@code key}: remembered, shared with a compile in flight, or from a compile started now. */
    public CompletableFuture<Outcome> get(Key key) {
        CompletableFuture<Outcome> started;
        synchronized (this) {
            Outcome known = done.get(key);
            if (known != null) {
                return CompletableFuture.completedFuture(known);
            }
            CompletableFuture<Outcome> running = inFlight.get(key);
            if (running != null) {
                return running;
            }
            started = compile.apply(key);
            compiles.incrementAndGet();
            inFlight.put(key, started);
        }
        // outside the lock: it may run at once, on this thread, if the compile has already finished
        started.whenComplete((outcome, failure) -> finished(key, started, outcome));
        return started;
    }

    /**
     * The outcome for {@code key}, waited for at most {@code maxWait} (the queue's wait and the compile's together), so
     * a client is answered in bounded time even while the pool works through others' grammars. A compile that nobody
     * waits for any more is dropped if it has not started, and not remembered if it has.
     *
     * @throws ConcurrencyLimiter.OverloadedException if no outcome came within {@code maxWait}
     */
    public Outcome await(Key key, Duration maxWait) {
        CompletableFuture<Outcome> future;
        synchronized (this) { // taking the future and counting its waiter at once: a leaving waiter cannot drop it between
            future = get(key);
            waiters.merge(key, 1, Integer::sum);
        }
        try {
            return WorkPool.await(future, maxWait);
        } catch (TimeoutException e) {
            throw new ConcurrencyLimiter.OverloadedException("Model is overloaded: the grammar did not compile within "
                    + maxWait.toMillis() + " ms while others were compiling; retry shortly");
        } finally {
            leave(key, future);
        }
    }

    private synchronized void leave(Key key, CompletableFuture<Outcome> future) {
        if (waiters.merge(key, -1, Integer::sum) > 0) {
            return;
        }
        waiters.remove(key);
        if (!future.isDone()) {
            future.cancel(false); // the pool skips it if it is still queued; finished() forgets it
        }
    }

    private synchronized void finished(Key key, CompletableFuture<Outcome> started, Outcome outcome) {
        inFlight.remove(key, started);
        if (outcome != null) { // a failure (a bug, not a verdict on the grammar) is not remembered
            done.put(key, outcome);
        }
    }

    /** How many compiles this cache has started: for tests and metrics. */
    public long compiles() {
        return compiles.get();
    }

    /** Outcomes remembered now. */
    public synchronized int size() {
        return done.size();
    }
}
