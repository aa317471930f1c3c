package dev.folio.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import dev.folio.engine.GradMode;
import dev.folio.engine.TorchScript;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * AdamW (Loshchilov & Hutter) with its state keyed by parameter name, so it can be saved with a
 * checkpoint and restored into a new process: DJL's AdamW keys its moments by random parameter ids
 * and cannot save them. Decoupled weight decay applies to 2-D weights only (nanoGPT's rule).
 *
 * <p>An update is one TorchScript call ({@code adamw_step.py}): global-norm gradient clipping, libtorch's
 * fused AdamW kernel over every parameter (as {@code torch.optim.AdamW(fused=True)}), gradients zeroed. As
 * DJL ops the same work was ~15 ops per parameter, each with a scalar array made from a Java number.
 */
public final class NamedAdamW {

    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;
    private final NDManager stateManager;
    private final PtSymbolBlock script;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    /** Per parameter, the updates it has had, as the fused kernel reads it for its bias corrections. */
    private final Map<String, NDArray> steps = new LinkedHashMap<>();
    private int step;

    /** @param stateManager where the moments and the compiled update live (the model's manager: as long as the weights) */
    public NamedAdamW(float beta1, float beta2, float weightDecay, NDManager stateManager) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = 1e-8f;
        this.weightDecay = weightDecay;
        this.stateManager = stateManager;
        this.script = TorchScript.load(stateManager, NamedAdamW.class, "adamw_step.py", "AdamWStep");
    }

    /** Updates completed so far. */
    public int step() {
        return step;
    }

    /** One update of every parameter without clipping; see {@link #update(Map, Map, float, float)}. */
    public void update(Map<String, NDArray> weights, Map<String, NDArray> gradients, float learningRate) {
        update(weights, gradients, learningRate, 0f);
    }

    /**
     * Clips the gradients' global L2 norm to {@code maxNorm} (as torch's clip_grad_norm_; 0 or less only
     * measures it), updates every parameter, then zeroes the gradients.
     *
     * @return the gradients' global norm before clipping
     */
    public float update(Map<String, NDArray> weights, Map<String, NDArray> gradients, float learningRate, float maxNorm) {
        step++;
        List<String> order = List.copyOf(weights.keySet());
        List<String> decayed = order.stream().filter(name -> weights.get(name).getShape().dimension() >= 2).toList();
        List<IValue> inputs = new ArrayList<>();
        try (GradMode ignored = GradMode.disabled()) {
            inputs.add(list(order, weights));
            inputs.add(list(decayed, weights));
            inputs.add(list(order, gradients));
            inputs.add(list(order, name -> firstMoments.computeIfAbsent(name, k -> zerosLike(weights.get(k)))));
            inputs.add(list(order, name -> secondMoments.computeIfAbsent(name, k -> zerosLike(weights.get(k)))));
            inputs.add(list(order, name -> steps.computeIfAbsent(name, k -> stateManager.create((float) (step - 1)))));
            inputs.add(IValue.from((double) learningRate));
            inputs.add(IValue.from((double) beta1));
            inputs.add(IValue.from((double) beta2));
            inputs.add(IValue.from((double) weightDecay));
            inputs.add(IValue.from((double) epsilon));
            inputs.add(IValue.from((double) maxNorm));
            TorchScript.usePlainInterpreter();
            try (IValue norm = IValueUtils.runMethod(script, "forward", inputs.toArray(IValue[]::new));
                    NDManager scratch = stateManager.newSubManager()) {
                return norm.toTensor((PtNDManager) scratch).getFloat();
            }
        } finally {
            inputs.forEach(IValue::close);
        }
    }

    private NDArray zerosLike(NDArray weight) {
        return stateManager.zeros(weight.getShape(), weight.getDataType());
    }

    private static IValue list(List<String> order, Map<String, NDArray> arrays) {
        return list(order, arrays::get);
    }

    private static IValue list(List<String> order, Function<String, NDArray> array) {
        return TorchScript.list(order.stream().map(array).toList());
    }

    /** Package-private for tests: a parameter's first moment (β1-averaged gradient), or null before its first update. */
    NDArray firstMoment(String name) {
        return firstMoments.get(name);
    }

    /** Writes step and moments, by parameter name. */
    public void save(DataOutputStream out) throws IOException {
        out.writeInt(step);
        out.writeInt(firstMoments.size());
        for (String name : firstMoments.keySet()) {
            out.writeUTF(name);
            byte[] encoded = new NDList(firstMoments.get(name), secondMoments.get(name)).encode();
            out.writeInt(encoded.length);
            out.write(encoded);
        }
    }

    /** Restores what {@link #save} wrote. */
    public void load(DataInputStream in) throws IOException {
        step = in.readInt();
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            byte[] encoded = new byte[in.readInt()];
            in.readFully(encoded);
            NDList moments = NDList.decode(stateManager, encoded);
            firstMoments.put(name, moments.get(0));
            secondMoments.put(name, moments.get(1));
            steps.put(name, stateManager.create((float) step));
        }
    }
}
