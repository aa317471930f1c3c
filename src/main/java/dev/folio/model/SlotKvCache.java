package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.IValue;
import dev.folio.engine.TorchScript;
import java.util.Arrays;

/**
 * Keys and values of many sequences decoded together: per layer one array shaped (rows, H, 2, length, hd), keys at
 * [:, :, 0] and values at [:, :, 1], so a step writes both with one indexed store (and a row's heads stay evenly
 * strided, so the batched matrix products read the (B,H) views without copying them; (rows, 2, H, ...) would make them
 * copy). Sequence i of a batched step lives in slot i, so the active sequences are always slots [0, B) and the
 * attention reads a view, never a gathered copy; when a sequence leaves, the last one moves into its slot
 * ({@link #move}).
 *
 * <p>The arrays grow with use, not with what is configured: both the rows and the positions start small and double
 * when a step needs more (up to {@code maxSlots} rows and the context window, and up to {@link #limitLength} positions),
 * copying what they hold; {@link #release} gives everything back when the batch empties. Growing by doubling keeps one
 * contiguous array per layer, which the TorchScript step attends over as a view; paged blocks would need a gather of
 * every sequence's blocks at every step (docs/performance.md, "KV memory that grows with use").
 */
public final class SlotKvCache implements AutoCloseable {

    /** The fewest positions an array is made with: a prompt of a few tokens should not grow it at every step. */
    static final int MIN_LENGTH = 16;

    private final NDManager manager;
    private final GptConfig config;
    private final int maxSlots;
    private final NDArray[] keysAndValues;
    private IValue scriptArrays;
    private int rows;
    private int length;
    private int lengthLimit;

    /** A cache of up to {@code slots} rows that holds nothing yet. */
    public SlotKvCache(NDManager parent, GptConfig config, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1");
        }
        this.manager = parent.newSubManager();
        this.config = config;
        this.maxSlots = slots;
        this.keysAndValues = new NDArray[config.nLayer()];
        this.lengthLimit = config.blockSize();
    }

    /** Rows at most. */
    public int slots() {
        return maxSlots;
    }

    /** Bytes of keys and values that {@code rows} rows of {@code length} positions take (float32). */
    public static long bytes(GptConfig config, long rows, long length) {
        return rows * length * bytesPerPosition(config);
    }

    /** Bytes one position of one row takes, over every layer's key and value. */
    public static long bytesPerPosition(GptConfig config) {
        return (long) config.nLayer() * 2 * config.nEmbd() * Float.BYTES;
    }

    /** The rows the arrays would have once {@code needed} rows are asked for, growing by doubling from none. */
    public static int rowsFor(int needed, int maxSlots) {
        return Math.min(maxSlots, ceilingPowerOfTwo(needed));
    }

    private static int ceilingPowerOfTwo(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** Rows the arrays have now. */
    public int rows() {
        return rows;
    }

    /** Positions the arrays have now. */
    public int length() {
        return length;
    }

    /** Bytes the arrays take now. */
    public long bytes() {
        return bytes(config, rows, length);
    }

    /**
     * Positions never grow past {@code limit} (at least what is asked): a batch whose sequences can need at most that
     * many holds no more, so its memory stays within what it reserved.
     */
    public void limitLength(int limit) {
        this.lengthLimit = Math.max(1, Math.min(limit, config.blockSize()));
    }

    /**
     * Makes room for rows [0, {@code needRows}) and positions [0, {@code needLength}): each axis that is too short grows
     * to the next power of two that holds what is needed, within the bounds; what the arrays held is kept.
     */
    public void ensure(int needRows, int needLength) {
        if (needRows > maxSlots || needLength > config.blockSize()) {
            throw new IllegalArgumentException(needRows + " rows of " + needLength + " positions do not fit " + maxSlots + " slots of "
                    + config.blockSize());
        }
        if (needRows <= rows && needLength <= length) {
            return;
        }
        int newRows = needRows <= rows ? rows : rowsFor(needRows, maxSlots);
        int newLength = needLength <= length ? length
                : Math.min(config.blockSize(), Math.min(Math.max(lengthLimit, needLength), Math.max(MIN_LENGTH, ceilingPowerOfTwo(needLength))));
        Shape shape = new Shape(newRows, config.nHead(), 2, newLength, config.headDim());
        NDIndex kept = new NDIndex(":{}, :, :, :{}", rows, length);
        for (int layer = 0; layer < keysAndValues.length; layer++) { // one layer at a time: the old and new copies of one layer coexist, no more
            NDArray grown = manager.zeros(shape, DataType.FLOAT32);
            NDArray old = keysAndValues[layer];
            if (old != null) {
                grown.set(kept, old);
                old.close();
            }
            keysAndValues[layer] = grown;
        }
        rows = newRows;
        length = newLength;
        refreshScriptArrays();
    }

    /** Gives every array back: the cache holds nothing until the next {@link #ensure}. */
    public void release() {
        if (rows == 0) {
            return;
        }
        for (int layer = 0; layer < keysAndValues.length; layer++) {
            keysAndValues[layer].close();
            keysAndValues[layer] = null;
        }
        rows = 0;
        length = 0;
        refreshScriptArrays();
    }

    private void refreshScriptArrays() {
        if (scriptArrays != null) {
            scriptArrays.close();
            scriptArrays = null;
        }
        if (rows > 0) {
            scriptArrays = TorchScript.list(Arrays.asList(keysAndValues));
        }
    }

    /** Layer {@code layer}'s keys and values, (rows, H, 2, length, hd); call {@link #ensure} first. */
    NDArray keysAndValues(int layer) {
        return keysAndValues[layer];
    }

    /** The layers' arrays as one TorchScript list, for {@link ScriptedInference} (the same memory); call {@link #ensure} first. */
    IValue scriptArrays() {
        return scriptArrays;
    }

    /** Copies a one-sequence cache of positions [0, P) (from a prefill) into {@code slot}. */
    public void install(int slot, KvCache cache) {
        int cached = cache.length();
        ensure(slot + 1, Math.max(1, cached));
        NDIndex keysAt = new NDIndex("{}, :, 0, :{}", slot, cached);
        NDIndex valuesAt = new NDIndex("{}, :, 1, :{}", slot, cached);
        try (NDManager scratch = manager.newSubManager()) {
            for (int layer = 0; layer < keysAndValues.length; layer++) {
                keysAndValues[layer].set(keysAt, cache.keys(layer).get(scratch, 0));
                keysAndValues[layer].set(valuesAt, cache.values(layer).get(scratch, 0));
            }
        }
    }

    /** Copies the first {@code positions} positions of slot {@code from} into slot {@code to}. */
    public void move(int from, int to, int positions) {
        if (from == to || positions == 0) {
            return;
        }
        NDIndex source = new NDIndex("{}, :, :, :{}", from, positions);
        NDIndex target = new NDIndex("{}, :, :, :{}", to, positions);
        try (NDManager scratch = manager.newSubManager()) {
            for (NDArray layer : keysAndValues) {
                layer.set(target, layer.get(scratch, source));
            }
        }
    }

    @Override
    public void close() {
        if (scriptArrays != null) {
            scriptArrays.close();
        }
        manager.close();
    }
}
