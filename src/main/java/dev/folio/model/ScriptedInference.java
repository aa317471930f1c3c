package dev.folio.model;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.folio.engine.GradMode;
import dev.folio.engine.IntraOpThreads;
import dev.folio.engine.TorchScript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's inference passes as single calls into libtorch: the scheduler's decoding step (the blocks' own, BlocksDecode, lives with the tests)
 * and prefills ({@link Gpt#forward(ai.djl.training.ParameterStore, NDArray, KvCache)}), the same arithmetic
 * written in TorchScript ({@code inference.py}), compiled by libtorch when the model loads and run by its
 * interpreter, so a pass costs one JNI crossing instead of ~100 (each DJL op is a crossing, a Java wrapper and
 * its bookkeeping), and each intermediate array is freed as soon as it is dead, not when the pass ends.
 * The weights are the model's own arrays, passed by reference. On CPU the 17 weight products run as oneDNN
 * inner products on copies of their matrices reordered once, at compile time, into oneDNN's blocked layout
 * ({@link WeightProducts}); the model's weights must not change after that. Inference only: call it with
 * gradients off ({@link GradMode}).
 */
public final class ScriptedInference implements AutoCloseable {

    /** How the passes multiply by the weight matrices. */
    public enum WeightProducts {
        /** libtorch's {@code linear}: MKL's GEMV and GEMM on CPU (its generic path on non-Intel CPUs), cuBLAS on a GPU. */
        LINEAR,
        /** oneDNN's fp32 inner product on the matrices reordered once: its kernels follow the CPU's features. CPU only. */
        ONEDNN_PACKED
    }

    /** Set to {@code linear} to keep libtorch's {@code linear} on CPU too (a benchmark's baseline, an escape hatch). */
    public static final String PRODUCTS_PROPERTY = "folio.inference.products";

    private static final Logger log = LoggerFactory.getLogger(ScriptedInference.class);

    private final GptConfig config;
    private final PtSymbolBlock module;
    private IValue weights;
    private IValue packed;
    private final WeightProducts products;
    private final IValue shape;
    private volatile ServingPath servingPath;

    private ScriptedInference(GptConfig config, PtSymbolBlock module, IValue weights, IValue shape, IValue packed, WeightProducts products) {
        this.config = config;
        this.module = module;
        this.weights = weights;
        this.shape = shape;
        this.packed = packed;
        this.products = products;
        this.servingPath = ServingPath.unchecked(products);
    }

    /**
     * Compiles the passes for {@code gpt}'s (loaded or initialised) weights with the fastest products that agree with
     * the float64 reference on this CPU ({@link ServingPaths#choose}): oneDNN's, unless they are wrong here or
     * {@value #PRODUCTS_PROPERTY} says {@code linear}; then libtorch's linear.
     */
    public static ScriptedInference compile(Gpt gpt, NDManager manager) {
        return ServingPaths.choose(gpt, manager);
    }

    /**
     * The passes with the products asked for, unchecked ({@code LINEAR} off the CPU, or if oneDNN refuses): what tests
     * and benchmarks use to hold one path to the reference.
     */
    public static ScriptedInference compile(Gpt gpt, NDManager manager, WeightProducts wanted) {
        GptWeights weights = gpt.weights();
        PtSymbolBlock module = TorchScript.load(manager, ScriptedInference.class, "inference.py", "Inference");
        IValue weightList = TorchScript.list(weights.arrays());
        IValue shape = IValue.from((PtNDArray) manager.create(weights.shape()));
        IValue packed = null;
        if (wanted == WeightProducts.ONEDNN_PACKED && Device.Type.CPU.equals(weights.arrays().get(0).getDevice().getDeviceType())) {
            // on one libtorch thread: a parallel reorder would leave an OpenMP worker on the loading thread for its
            // life, and past the core count every parallel region of the scheduler sleeps at its barriers
            int threads = JniUtils.getNumThreads();
            IntraOpThreads.set(1);
            try (GradMode ignored = GradMode.disabled()) {
                packed = IValueUtils.runMethod(module, "pack", weightList, shape);
            } catch (EngineException e) {
                log.warn("oneDNN cannot take the weight products here ({}); using libtorch's linear", String.valueOf(e.getMessage()).strip());
            } finally {
                IntraOpThreads.set(threads);
            }
        }
        WeightProducts products = packed == null ? WeightProducts.LINEAR : WeightProducts.ONEDNN_PACKED;
        if (packed == null) {
            packed = IValue.listFrom(new PtNDArray[0]);
        }
        return new ScriptedInference(gpt.config(), module, weightList, shape, packed, products);
    }

    /** The weight products these passes run. */
    public WeightProducts products() {
        return products;
    }

    /** Which products serve and why, as the load-time check found ({@link ServingPaths}). */
    public ServingPath servingPath() {
        return servingPath;
    }

    void servingPath(ServingPath path) {
        this.servingPath = path;
    }

    /** How many libtorch threads a decoding step should run on, as measured at load ({@link StepThreads}). */
    public StepThreads stepThreads() {
        return servingPath.stepThreads();
    }

    /**
     * Tests only: exchanges two matrices of the packed list (oneDNN) or of the weight list (linear), making these
     * passes deliberately wrong, so that a test can watch the load-time check refuse them.
     */
    void exchangeMatrices(int first, int second, NDManager manager) {
        boolean onednn = products == WeightProducts.ONEDNN_PACKED;
        IValue list = onednn ? packed : weights;
        PtNDArray[] arrays = list.toTensorArray((PtNDManager) manager);
        PtNDArray kept = arrays[first];
        arrays[first] = arrays[second];
        arrays[second] = kept;
        if (onednn) {
            packed = IValue.listFrom(arrays);
        } else {
            weights = IValue.listFrom(arrays);
        }
        list.close();
    }

    /**
     * One decoding step for B sequences at once (continuous batching): sequence b sits in slot b of
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
        cache.ensure(batch, span); // grows the cache by doubling when this step reaches past it
        TorchScript.usePlainInterpreter();
        IValue tokenValue = IValue.from((PtNDArray) step.create(tokenIds));
        IValue positionValue = IValue.from((PtNDArray) step.create(positionIds));
        IValue alignedValue = IValue.from(aligned);
        IValue spanValue = IValue.from((long) span);
        try (IValue logits = module.forward(weights, packed, cache.scriptArrays(), tokenValue, positionValue, alignedValue, spanValue, shape)) {
            return logits.toTensor((PtNDManager) step);
        } finally {
            tokenValue.close();
            positionValue.close();
            alignedValue.close();
            spanValue.close();
        }
    }

    /**
     * {@link Gpt#forward(ai.djl.training.ParameterStore, NDArray, KvCache)} in one call: logits for tokens (B,T)
     * at positions [P, P+T) after {@code past} (P = 0 when empty), and the cache extended to [0, P+T).
     *
     * @return logits (B,T,V) and the extended cache, in {@code step}
     */
    public Gpt.Step prefill(NDManager step, NDArray tokens, KvCache past) {
        long length = past.length() + tokens.getShape().get(1);
        if (tokens.getShape().dimension() != 2 || length > config.blockSize()) {
            throw new IllegalArgumentException("tokens " + tokens.getShape() + " after " + past.length() + " cached positions do not fit the context window of " + config.blockSize());
        }
        TorchScript.usePlainInterpreter();
        IValue tokenValue = IValue.from((PtNDArray) tokens);
        IValue pastValue = TorchScript.list(past.arrays());
        try (IValue out = IValueUtils.runMethod(module, "prefill", weights, packed, pastValue, tokenValue, shape)) {
            NDList arrays = out.toNDList((PtNDManager) step);
            return new Gpt.Step(arrays.get(0), KvCache.of(arrays.subNDList(1)));
        } finally {
            tokenValue.close();
            pastValue.close();
        }
    }

    @Override
    public void close() {
        shape.close();
        packed.close();
        weights.close();
        module.close();
    }
}
