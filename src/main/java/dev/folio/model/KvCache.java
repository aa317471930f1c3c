package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Cached attention keys and values of one batch of sequences: per layer, keys and values shaped
 * (B,H,P,hd) for positions [0, P). Owned by the caller (one per sequence or batch), never by the
 * model, so one model serves many threads. Immutable: a forward pass returns a new, longer cache.
 */
public final class KvCache {

    private static final KvCache EMPTY = new KvCache(new NDList());

    private final NDList arrays;

    private KvCache(NDList arrays) {
        this.arrays = arrays;
    }

    public static KvCache empty() {
        return EMPTY;
    }

    /** A cache from the model's output layout {@code [k0, v0, k1, v1, ...]}. */
    static KvCache of(NDList keysAndValues) {
        if (keysAndValues.size() % 2 != 0) {
            throw new IllegalArgumentException("a cache holds keys and values in pairs, got " + keysAndValues.size() + " arrays");
        }
        return new KvCache(keysAndValues);
    }

    /** Positions cached so far. */
    public int length() {
        return arrays.isEmpty() ? 0 : Math.toIntExact(arrays.get(0).getShape().get(2));
    }

    public boolean isEmpty() {
        return arrays.isEmpty();
    }

    NDList arrays() {
        return arrays;
    }

    /** Keys of one layer, (B,H,P,hd). */
    public NDArray keys(int layer) {
        return arrays.get(2 * layer);
    }

    /** Values of one layer, (B,H,P,hd). */
    public NDArray values(int layer) {
        return arrays.get(2 * layer + 1);
    }

    /**
     * Row {@code row}'s first {@code length} positions of a batch's cache, as a one-sequence cache (views
     * that share the batch's memory, so no copy; they stay valid after the batch's arrays are closed).
     */
    public KvCache row(int row, int length) {
        NDIndex index = new NDIndex("{}:{}, :, :{}", row, row + 1, length);
        NDList rows = new NDList(arrays.size());
        for (NDArray array : arrays) {
            rows.add(array.get(index));
        }
        return new KvCache(rows);
    }

    /** Moves the cache's arrays into {@code manager} (so they outlive the pass that made them). */
    public KvCache attach(NDManager manager) {
        arrays.attach(manager);
        return this;
    }

    /** Frees the native memory of this cache now rather than when its manager closes. */
    public void close() {
        arrays.close();
    }
}
