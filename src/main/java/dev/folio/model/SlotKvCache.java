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
 * Keys and values of many sequences decoded together, allocated once: per layer one array shaped
 * (slots, H, 2, blockSize, hd), keys at [:, :, 0] and values at [:, :, 1], so a step writes both with
 * one indexed store (and a slot's heads stay evenly strided, so the batched matrix products read the
 * (B,H) views without copying them; (slots, 2, H, ...) would make them copy). Sequence i of a batched
 * step lives in slot i, so the active sequences are always slots [0, B) and the attention reads a view,
 * never a gathered copy; when a sequence leaves, the last one moves into its slot ({@link #move}).
 */
public final class SlotKvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keysAndValues;
    private final IValue scriptArrays;
    private final int slots;

    public SlotKvCache(NDManager parent, GptConfig config, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1");
        }
        this.manager = parent.newSubManager();
        this.slots = slots;
        this.keysAndValues = new NDArray[config.nLayer()];
        Shape shape = new Shape(slots, config.nHead(), 2, config.blockSize(), config.headDim());
        for (int layer = 0; layer < config.nLayer(); layer++) {
            keysAndValues[layer] = manager.zeros(shape, DataType.FLOAT32);
        }
        this.scriptArrays = TorchScript.list(Arrays.asList(keysAndValues));
    }

    public int slots() {
        return slots;
    }

    /** Layer {@code layer}'s keys and values, (slots, H, 2, blockSize, hd). */
    NDArray keysAndValues(int layer) {
        return keysAndValues[layer];
    }

    /** The layers' arrays as one TorchScript list, for {@link ScriptedInference} (the same memory). */
    IValue scriptArrays() {
        return scriptArrays;
    }

    /** Copies a one-sequence cache of positions [0, P) (from a prefill) into {@code slot}. */
    public void install(int slot, KvCache cache) {
        int length = cache.length();
        NDIndex keysAt = new NDIndex("{}, :, 0, :{}", slot, length);
        NDIndex valuesAt = new NDIndex("{}, :, 1, :{}", slot, length);
        try (NDManager scratch = manager.newSubManager()) {
            for (int layer = 0; layer < keysAndValues.length; layer++) {
                keysAndValues[layer].set(keysAt, cache.keys(layer).get(scratch, 0));
                keysAndValues[layer].set(valuesAt, cache.values(layer).get(scratch, 0));
            }
        }
    }

    /** Copies the first {@code length} positions of slot {@code from} into slot {@code to}. */
    public void move(int from, int to, int length) {
        if (from == to || length == 0) {
            return;
        }
        NDIndex source = new NDIndex("{}, :, :, :{}", from, length);
        NDIndex target = new NDIndex("{}, :, :, :{}", to, length);
        try (NDManager scratch = manager.newSubManager()) {
            for (NDArray layer : keysAndValues) {
                layer.set(target, layer.get(scratch, source));
            }
        }
    }

    @Override
    public void close() {
        scriptArrays.close();
        manager.close();
    }
}
