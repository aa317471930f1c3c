package dev.folio.inference;

import ai.djl.ndarray.NDManager;
import dev.folio.engine.NativeHeap;
import dev.folio.model.KvCache;
import dev.folio.model.SlotKvCache;
import dev.folio.store.LoadedModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The sequences of one model version decoding together: sequence i always sits in slot i of one {@link SlotKvCache},
 * so every step is one forward pass over slots [0, B). The cache grows with the batch and is given back when the batch
 * empties.
 *
 * <p>It also keeps the model's KV memory budget. A sequence is admitted ({@link #reserve}) only if the cache, grown for
 * every admitted sequence at its longest ({@link DecodingSequence#positionsNeeded}: its prompt and all its
 * {@code max_new_tokens}, within the window), stays within the budget; so once admitted, no sequence ever waits or
 * fails for memory halfway.
 */
final class DecodeBatch implements AutoCloseable {

    /** A batch that held less cache than this leaves too little behind to be worth walking the C heap for. */
    private static final long TRIM_AFTER_BYTES = 64L << 20;

    final LoadedModel model;
    private final SlotKvCache slots;
    private final int capacity;
    private final long budgetBytes;
    private final List<DecodingSequence> sequences = new ArrayList<>();
    private final List<DecodingSequence> reserved = new ArrayList<>(); // admitted: prefilling or decoding

    DecodeBatch(NDManager manager, LoadedModel model, int capacity, long budgetBytes) {
        this.model = model;
        this.capacity = capacity;
        this.budgetBytes = budgetBytes;
        this.slots = new SlotKvCache(manager, model.gpt().config(), capacity);
    }

    /** Whether the cache, grown for every admitted sequence and {@code sequence} at their longest, stays within the budget. */
    boolean admits(DecodingSequence sequence) {
        return reserved.size() < capacity && projectedBytes(reserved.size() + 1, Math.max(longestReserved(), sequence.positionsNeeded())) <= budgetBytes;
    }

    /** Whether nothing is admitted: a sequence that does not fit now never will. */
    boolean idle() {
        return reserved.isEmpty();
    }

    void reserve(DecodingSequence sequence) {
        reserved.add(sequence);
        slots.limitLength(longestReserved());
    }

    void unreserve(DecodingSequence sequence) {
        reserved.remove(sequence);
        if (!reserved.isEmpty()) {
            slots.limitLength(longestReserved());
        }
    }

    /** Bytes the cache may reach for {@code rows} sequences of at most {@code length} positions: never less than it holds now. */
    private long projectedBytes(int rows, int length) {
        return SlotKvCache.bytes(model.gpt().config(), Math.max(slots.rows(), SlotKvCache.rowsFor(rows, capacity)), Math.max(slots.length(), length));
    }

    private int longestReserved() {
        int longest = 0;
        for (DecodingSequence sequence : reserved) {
            longest = Math.max(longest, sequence.positionsNeeded());
        }
        return longest;
    }

    /** Bytes of keys and values the batch holds now. */
    long cacheBytes() {
        return slots.bytes();
    }

    int size() {
        return sequences.size();
    }

    boolean isEmpty() {
        return sequences.isEmpty();
    }

    /** Takes a sequence whose prefill just finished into the next free slot. */
    void add(DecodingSequence sequence) {
        if (sequences.size() == slots.slots()) {
            throw new IllegalStateException("every slot is taken");
        }
        KvCache prefilled = sequence.takePrefilledCache();
        try {
            slots.install(sequences.size(), prefilled);
        } finally {
            prefilled.close();
        }
        sequences.add(sequence);
    }

    /** Removes every sequence that matches and hands it to {@code removed}; the last sequences fill the gaps. */
    void removeIf(Predicate<DecodingSequence> leaving, Consumer<DecodingSequence> removed) {
        for (int i = sequences.size() - 1; i >= 0; i--) { // from the end: a moved sequence was already looked at
            DecodingSequence sequence = sequences.get(i);
            if (leaving.test(sequence)) {
                int last = sequences.size() - 1;
                slots.move(last, i, sequences.get(last).position());
                sequences.set(i, sequences.get(last));
                sequences.remove(last);
                removed.accept(sequence);
            }
        }
        if (sequences.isEmpty()) {
            long held = slots.bytes();
            slots.release(); // idle memory is the model's own, not its last batch's
            if (held >= TRIM_AFTER_BYTES) {
                NativeHeap.trim(); // and what its steps freed on the C heap leaves the process too
            }
        }
    }

    /**
     * Advances every sequence by one token in one forward pass.
     *
     * @return the sequences that completed (or failed) in this step, already out of their slots
     */
    List<DecodingSequence> step(NDManager step) {
        int batch = sequences.size();
        int[] tokens = new int[batch];
        int[] positions = new int[batch];
        for (int b = 0; b < batch; b++) {
            tokens[b] = sequences.get(b).lastToken();
            positions[b] = sequences.get(b).position();
        }
        float[] logits = model.inference().decode(step, tokens, positions, slots).toFloatArray(); // (B·V)
        int vocab = logits.length / batch;
        Set<DecodingSequence> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int b = 0; b < batch; b++) {
            DecodingSequence sequence = sequences.get(b);
            sequence.advance();
            try {
                if (sequence.accept(Arrays.copyOfRange(logits, b * vocab, (b + 1) * vocab))) {
                    done.add(sequence);
                }
            } catch (RuntimeException e) { // its listener failed: that request ends, the others go on
                sequence.fail(e);
                done.add(sequence);
            }
        }
        List<DecodingSequence> finished = new ArrayList<>();
        removeIf(done::contains, finished::add);
        return finished;
    }

    /** Every sequence, for failing them all when a step breaks. */
    List<DecodingSequence> drain() {
        List<DecodingSequence> all = List.copyOf(sequences);
        sequences.clear();
        return all;
    }

    @Override
    public void close() {
        slots.close();
    }
}
