package dev.folio.inference;

import ai.djl.ndarray.NDManager;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import dev.folio.model.StepThreads;
import dev.folio.store.LoadedModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching on one thread: each iteration every decoding sequence advances one token in one
 * batched forward pass ({@link DecodeBatch}); new requests are prefilled, several short prompts together in
 * one padded pass ({@link PrefillBatch}) or a long one chunk by chunk, at most {@code prefillChunk} tokens
 * per iteration while others decode (so a long prompt never stalls them), and join the batch in the same
 * iteration; a finished or cancelled sequence leaves at once and its slot goes to the next waiting request.
 *
 * <p>Admission is bounded by the caller ({@link ConcurrencyLimiter}): the scheduler runs at most
 * {@code maxBatch} sequences, and only as many as each model's KV memory budget holds at their longest
 * ({@link DecodeBatch#admits}); the rest wait in arrival order. Listeners are called on the
 * scheduler's thread and must not block (see {@link TokenRelay}).
 */
public final class DecodeScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DecodeScheduler.class);
    private final int maxBatch;
    private final int prefillChunk;
    private final int intraOpThreads;
    /** The configured thread rule for every model, or null: each model's own, measured at load. */
    private final StepThreads configuredRule;
    private final KvBudget kvBudget;
    private final BlockingDeque<DecodingSequence> incoming = new LinkedBlockingDeque<>();
    private final ArrayDeque<DecodingSequence> prefilling = new ArrayDeque<>();
    private final Map<LoadedModel, DecodeBatch> batches = new IdentityHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong steps = new AtomicLong();
    private final Thread thread;
    private volatile boolean open = true;
    private volatile LoadedModel newest;
    private NDManager manager;
    private volatile long batchedPrefills;
    private volatile long kvCacheBytes;

    /**
     * @param maxBatch sequences decoded together at most (the rest wait)
     * @param prefillChunk prompt tokens prefilled per iteration while others are decoding
     * @param intraOpThreads libtorch threads of the scheduler's thread for prefills and for decoding steps of as many rows
     *     as the model's {@link StepThreads} says gain from them (smaller ones use one; 0: libtorch's default throughout)
     */
    public DecodeScheduler(int maxBatch, int prefillChunk, int intraOpThreads) {
        this(maxBatch, prefillChunk, intraOpThreads, KvBudget.UNLIMITED);
    }

    /** @param kvBudget each model's KV memory: sequences are admitted while their cache, at its longest, fits it */
    public DecodeScheduler(int maxBatch, int prefillChunk, int intraOpThreads, KvBudget kvBudget) {
        this(maxBatch, prefillChunk, intraOpThreads, 0, kvBudget);
    }

    /**
     * @param singleThreadBelowRows decoding steps of fewer rows run on one thread, for every model; 0: as measured for
     *     each model when it loaded ({@link StepThreads})
     */
    public DecodeScheduler(int maxBatch, int prefillChunk, int intraOpThreads, int singleThreadBelowRows, KvBudget kvBudget) {
        if (maxBatch < 1 || prefillChunk < 1 || singleThreadBelowRows < 0) {
            throw new IllegalArgumentException("maxBatch and prefillChunk must be at least 1, singleThreadBelowRows at least 0");
        }
        this.maxBatch = maxBatch;
        this.prefillChunk = prefillChunk;
        this.intraOpThreads = intraOpThreads;
        this.configuredRule = singleThreadBelowRows > 0 ? StepThreads.fixed(singleThreadBelowRows, intraOpThreads) : null;
        this.kvBudget = kvBudget;
        this.thread = new Thread(this::run, "decode-scheduler");
        thread.setDaemon(true);
        thread.start();
    }

    /** Sequences prefilling or decoding now. */
    public int running() {
        return running.get();
    }

    /** Batched decoding steps run so far: a clock in steps, for checking how soon something took effect. */
    public long steps() {
        return steps.get();
    }

    /** Requests waiting for a place in the batch (or for KV memory). */
    public int waiting() {
        return incoming.size();
    }

    /** Each model's KV memory budget. */
    public KvBudget kvBudget() {
        return kvBudget;
    }

    /** Bytes of keys and values the decoding batches held after the last iteration (a gauge: it grows with the tokens held). */
    public long kvCacheBytes() {
        return kvCacheBytes;
    }

    /** On the scheduler's thread, which alone touches the batches. */
    private void recordKvCacheBytes() {
        long bytes = 0;
        for (DecodeBatch batch : batches.values()) {
            bytes += batch.cacheBytes();
        }
        kvCacheBytes = bytes;
    }

    /** Prefill passes that ran several prompts at once, for tests. */
    long batchedPrefills() {
        return batchedPrefills;
    }

    /** Arrays alive in the scheduler's native scope (slot caches and anything a request left behind), for tests. */
    int liveArrays() {
        NDManager scope = manager;
        return scope == null ? 0 : scope.getManagedArrays().size();
    }

    /**
     * Queues a generation. The caller keeps {@code model} open (holds its lease) until the result is done.
     *
     * @return completes with the generation, or with {@link GenerationCancelledException} when the listener
     *     reports its caller gone, or with the error that stopped it
     */
    public CompletableFuture<Generation> submit(LoadedModel model, GenerationRequest request, GenerationListener listener) {
        DecodingSequence sequence = new DecodingSequence(model, request, listener);
        if (!open) {
            throw new IllegalStateException("the decode scheduler is shut down");
        }
        newest = model;
        incoming.add(sequence);
        return sequence.result;
    }

    /**
     * Waits for a submitted generation.
     *
     * @throws GenerationCancelledException when it was cancelled; any other failure as it was thrown
     */
    public static Generation await(CompletableFuture<Generation> result) {
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private void run() {
        try (GradMode ignored = GradMode.disabled(); NDManager scope = NDManager.newBaseManager()) {
            manager = scope;
            while (open) {
                try {
                    iterate();
                } catch (InterruptedException e) {
                    break;
                } catch (RuntimeException | Error e) { // never let the loop die: fail what was running, keep serving
                    log.error("decode step failed; failing the sequences it held", e);
                    failAll(e);
                }
                recordKvCacheBytes();
            }
            kvCacheBytes = 0;
            failAll(new IllegalStateException("Folio is shutting down"));
            failWaiting();
        }
    }

    private void failWaiting() {
        DecodingSequence waiting;
        while ((waiting = incoming.poll()) != null) {
            waiting.fail(new IllegalStateException("Folio is shutting down"));
        }
    }

    private void iterate() throws InterruptedException {
        admit();
        if (running.get() == 0) {
            DecodingSequence next = incoming.poll(100, TimeUnit.MILLISECONDS);
            if (next != null) {
                incoming.addFirst(next); // still first in line: admit() takes it, and those that arrived with it
                admit(); // they prefill together, and then decode in step (no mask)
            }
            return;
        }
        dropCancelled();
        if (!prefilling.isEmpty()) {
            IntraOpThreads.set(intraOpThreads); // a prefill is one matrix product per weight over many tokens: both cores help
            prefill();
        }
        for (DecodeBatch batch : List.copyOf(batches.values())) {
            if (!batch.isEmpty()) {
                batch.removeIf(DecodingSequence::windowFull, this::requeueForShift);
            }
            if (!batch.isEmpty()) {
                IntraOpThreads.set(decodingThreads(batch.model, batch.size()));
                List<DecodingSequence> finished;
                try (NDManager step = manager.newSubManager()) {
                    finished = batch.step(step);
                }
                steps.incrementAndGet();
                finished.forEach(this::finish); // after the step's arrays are freed
            }
        }
        closeIdleBatches();
    }

    /**
     * One thread for a model's small batches, the configured count from the rows where more threads win: as configured
     * ({@code singleThreadBelowRows}), else as measured for the model on this machine when it loaded ({@link StepThreads}).
     * 0 intra-op threads leaves libtorch's default.
     */
    private int decodingThreads(LoadedModel model, int rows) {
        if (intraOpThreads <= 0) {
            return intraOpThreads;
        }
        StepThreads rule = configuredRule != null ? configuredRule : model.inference().stepThreads();
        return rule.threadsFor(rows, intraOpThreads);
    }

    /** Takes waiting requests in order while there is a place and KV memory for each; the first that does not fit waits. */
    private void admit() {
        DecodingSequence next;
        while (running.get() < maxBatch && (next = incoming.peek()) != null) {
            if (!next.listener.cancelled()) {
                DecodeBatch batch = batchFor(next.model);
                if (!batch.admits(next)) {
                    if (!batch.idle()) {
                        return; // waits, in order, for memory the admitted give back as they finish
                    }
                    incoming.poll(); // more than the whole budget (validation refuses these first)
                    next.fail(new IllegalArgumentException(kvBudget.refusal(next.model.gpt().config(), next.positionsNeeded())));
                    continue;
                }
            }
            incoming.poll();
            start(next);
        }
    }

    private void start(DecodingSequence sequence) {
        if (sequence.listener.cancelled()) {
            sequence.fail(new GenerationCancelledException(0));
            return;
        }
        DecodeBatch batch = batchFor(sequence.model);
        batch.reserve(sequence);
        sequence.start(manager, () -> batch.unreserve(sequence));
        prefilling.add(sequence);
        running.incrementAndGet();
    }

    private void dropCancelled() {
        prefilling.removeIf(sequence -> {
            if (sequence.listener.cancelled()) {
                cancel(sequence);
                return true;
            }
            return false;
        });
        for (DecodeBatch batch : batches.values()) {
            batch.removeIf(sequence -> sequence.listener.cancelled(), this::cancel);
        }
    }

    private void cancel(DecodingSequence sequence) {
        running.decrementAndGet();
        sequence.fail(new GenerationCancelledException(sequence.generatedCount()));
    }

    /**
     * Prefill work for one iteration, at most {@code prefillChunk} tokens while others decode (four times that
     * when nobody waits on it): the oldest prompts that fit together in one batched pass, or else the next
     * chunk of the oldest prompt alone.
     */
    private void prefill() {
        boolean othersDecoding = running.get() > prefilling.size();
        int budget = othersDecoding ? prefillChunk : 4 * prefillChunk;
        List<DecodingSequence> group = groupForOnePass(budget);
        if (group.size() > 1) {
            List<float[]> last;
            try (NDManager step = manager.newSubManager()) {
                last = PrefillBatch.run(step, group);
            } catch (RuntimeException e) {
                group.forEach(sequence -> fail(sequence, e));
                return;
            }
            batchedPrefills++;
            for (int i = 0; i < group.size(); i++) {
                prefilled(group.get(i), last.get(i));
            }
            return;
        }
        DecodingSequence sequence = prefilling.peek();
        float[] last;
        try (NDManager step = manager.newSubManager()) {
            last = sequence.prefillChunk(step, othersDecoding ? prefillChunk : Integer.MAX_VALUE);
        } catch (RuntimeException e) {
            fail(sequence, e);
            return;
        }
        if (last != null) {
            prefilled(sequence, last);
        } // else more chunks to go
    }

    /** The oldest unstarted prefills of one model whose padded batch (rows × longest) fits the budget, in order. */
    private List<DecodingSequence> groupForOnePass(int budget) {
        List<DecodingSequence> group = new ArrayList<>();
        int longest = 0;
        for (DecodingSequence sequence : prefilling) {
            int length = Math.max(longest, sequence.pendingLength());
            if (!sequence.prefillUnstarted() || sequence.model != prefilling.peek().model || (group.size() + 1) * length > budget) {
                break;
            }
            group.add(sequence);
            longest = length;
        }
        return group;
    }

    /** A prefill finished: its first (or next) token is chosen from {@code lastLogits}; it joins the batch unless already done. */
    private void prefilled(DecodingSequence sequence, float[] lastLogits) {
        prefilling.remove(sequence);
        boolean done;
        try {
            done = sequence.accept(lastLogits);
        } catch (RuntimeException e) { // its listener failed
            running.decrementAndGet();
            sequence.fail(e);
            return;
        }
        if (done) {
            finish(sequence);
        } else {
            batchFor(sequence.model).add(sequence);
        }
    }

    private void fail(DecodingSequence sequence, RuntimeException error) {
        prefilling.remove(sequence);
        running.decrementAndGet();
        sequence.fail(error);
    }

    private void requeueForShift(DecodingSequence sequence) {
        sequence.shiftWindow();
        prefilling.addFirst(sequence);
    }

    /** A sequence left the batch for good: completed, or already failed by its listener. */
    private void finish(DecodingSequence sequence) {
        running.decrementAndGet();
        if (!sequence.result.isDone()) {
            sequence.complete();
        }
    }

    private DecodeBatch batchFor(LoadedModel model) {
        return batches.computeIfAbsent(model, m -> new DecodeBatch(manager, m, maxBatch, kvBudget.bytesPerModel()));
    }

    /** A batch of an older model version is freed once its last sequence leaves. */
    private void closeIdleBatches() {
        batches.values().removeIf(batch -> {
            if (batch.idle() && batch.model != newest) {
                batch.close();
                return true;
            }
            return false;
        });
    }

    private void failAll(Throwable error) {
        List<DecodingSequence> failed = new ArrayList<>(prefilling);
        prefilling.clear();
        for (DecodeBatch batch : batches.values()) {
            failed.addAll(batch.drain());
            batch.close();
        }
        batches.clear();
        for (DecodingSequence sequence : failed) {
            running.decrementAndGet();
            sequence.fail(error);
        }
    }

    /** Stops the loop; whatever is still queued or running fails. */
    @Override
    public void close() {
        open = false;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failWaiting(); // submitted while the loop was ending
    }
}
