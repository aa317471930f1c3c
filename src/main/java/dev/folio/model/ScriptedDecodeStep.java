package dev.folio.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Gpt#decode}'s step as one call into libtorch: the same arithmetic written in TorchScript
 * ({@code decode_step.py}), compiled by libtorch when the model loads and run by its interpreter, so a step
 * costs one JNI crossing instead of ~100 (each DJL op is a crossing, a Java wrapper and its bookkeeping).
 * The weights are the model's own arrays, passed by reference: nothing is copied. Inference only: call it
 * with gradients off ({@link GradMode}).
 */
public final class ScriptedDecodeStep implements AutoCloseable {

    private final GptConfig config;
    private final PtSymbolBlock module;
    private final IValue weights;
    private final IValue biases;
    private final IValue heads;

    private ScriptedDecodeStep(GptConfig config, PtSymbolBlock module, IValue weights, IValue biases) {
        this.config = config;
        this.module = module;
        this.weights = weights;
        this.biases = biases;
        this.heads = IValue.from((long) config.nHead());
    }

    /** Compiles the step for {@code gpt}'s (loaded or initialised) weights. */
    public static ScriptedDecodeStep compile(Gpt gpt, NDManager manager) {
        List<NDArray> weights = new ArrayList<>();
        List<NDArray> biases = new ArrayList<>();
        gpt.collectDecodeArrays(weights, biases);
        PtSymbolBlock module = TorchScript.load(manager, ScriptedDecodeStep.class, "decode_step.py", "DecodeStep");
        return new ScriptedDecodeStep(gpt.config(), module, TorchScript.list(weights), TorchScript.list(biases));
    }

    /**
     * One decoding step for B sequences at once, as {@link Gpt#decode}: sequence b sits in slot b of
     * {@code cache}, is fed {@code tokens[b]} at {@code positions[b]}, and has its key and value written there.
     *
     * @return logits (B,V), in {@code step}
     */
    public NDArray decode(NDManager step, int[] tokens, int[] positions, SlotKvCache cache) {
        int batch = tokens.length;
        if (positions.length != batch || batch == 0 || batch > cache.slots()) {
            throw new IllegalArgumentException(batch + " tokens, " + positions.length + " positions, " + cache.slots() + " slots");
        }
        long[] tokenIds = new long[batch];
        long[] positionIds = new long[batch];
        int span = 0;
        boolean aligned = true; // every row at the same position: each sees the whole span, no mask needed
        for (int b = 0; b < batch; b++) {
            if (positions[b] < 0 || positions[b] >= config.blockSize()) {
                throw new IllegalArgumentException("position " + positions[b] + " is outside the context window of " + config.blockSize());
            }
            tokenIds[b] = tokens[b];
            positionIds[b] = positions[b];
            span = Math.max(span, positions[b] + 1);
            aligned &= positions[b] == positions[0];
        }
        TorchScript.usePlainInterpreter();
        IValue tokenValue = IValue.from((PtNDArray) step.create(tokenIds));
        IValue positionValue = IValue.from((PtNDArray) step.create(positionIds));
        IValue alignedValue = IValue.from(aligned);
        IValue spanValue = IValue.from((long) span);
        try (IValue logits = module.forward(weights, biases, cache.scriptArrays(), tokenValue, positionValue, alignedValue, spanValue, heads)) {
            return logits.toTensor((PtNDManager) step);
        } finally {
            tokenValue.close();
            positionValue.close();
            alignedValue.close();
            spanValue.close();
        }
    }

    @Override
    public void close() {
        heads.close();
        weights.close();
        biases.close();
        module.close();
    }
}
