package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of many sequences decoded together, allocated once: per layer, keys and values
 * shaped (slots, H, blockSize, hd). Sequence i of a batched step lives in slot i, so the active
 * sequences are always slots [0, B) and the attention reads a view, never a gathered copy; when a
 * sequence leaves, the last one moves into its slot ({@link #move}).
 */
public final class SlotKvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int slots;

    public SlotKvCache(NDManager parent, GptConfig config, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1");
        }
        this.manager = parent.newSubManager();
        this.slots = slots;
        this.keys = new NDArray[config.nLayer()];
        this.values = new NDArray[config.nLayer()];
        Shape shape = new Shape(slots, config.nHead(), config.blockSize(), config.headDim());
        for (int layer = 0; layer < config.nLayer(); layer++) {
            keys[layer] = manager.zeros(shape, DataType.FLOAT32);
            values[layer] = manager.zeros(shape, DataType.FLOAT32);
        }
    }

    public int slots() {
        return slots;
    }

    NDArray keys(int layer) {
        return keys[layer];
    }

    NDArray values(int layer) {
        return values[layer];
    }

    /** Copies a one-sequence cache of positions [0, P) (from a prefill) into {@code slot}. */
    public void install(int slot, KvCache cache) {
        int length = cache.length();
        NDIndex target = new NDIndex("{}, :, :{}", slot, length);
        try (NDManager scratch = manager.newSubManager()) {
            for (int layer = 0; layer < keys.length; layer++) {
                keys[layer].set(target, cache.keys(layer).get(scratch, 0));
                values[layer].set(target, cache.values(layer).get(scratch, 0));
            }
        }
    }

    /** Copies the first {@code length} positions of slot {@code from} into slot {@code to}. */
    public void move(int from, int to, int length) {
        if (from == to || length == 0) {
            return;
        }
        NDIndex source = new NDIndex("{}, :, :{}", from, length);
        NDIndex target = new NDIndex("{}, :, :{}", to, length);
        try (NDManager scratch = manager.newSubManager()) {
            for (int layer = 0; layer < keys.length; layer++) {
                keys[layer].set(target, keys[layer].get(scratch, source));
                values[layer].set(target, values[layer].get(scratch, source));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
