package dev.folio.inference;

import ai.djl.ndarray.NDManager;
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
 * The sequences of one model version decoding together: sequence i always sits in slot i of one
 * preallocated {@link SlotKvCache}, so every step is one forward pass over slots [0, B).
 */
final class DecodeBatch implements AutoCloseable {

    final LoadedModel model;
    private final SlotKvCache slots;
    private final List<DecodingSequence> sequences = new ArrayList<>();

    DecodeBatch(NDManager manager, LoadedModel model, int capacity) {
        this.model = model;
        this.slots = new SlotKvCache(manager, model.gpt().config(), capacity);
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
