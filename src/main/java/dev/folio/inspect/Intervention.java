package dev.folio.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * One declarative change to a forward pass (never code): an edit of a named activation, done by a {@link Hooks}, or a
 * change to the computation itself, a {@link WhatIfs}. Validated against the model when made
 * ({@link Interventions#of}).
 */
public sealed interface Intervention {

    /** Zero ablation, or the activation's mean over the text's positions. */
    enum Mode { ZERO, MEAN }

    /** The hook point this intervention edits, or null for a what-if. */
    default String hook() {
        return null;
    }

    /** The edit of {@link #hook()}'s activation (the arrays it makes live in {@code manager}). */
    default NDArray edit(NDManager manager, NDArray value) {
        return value;
    }

    /** A head's output (its {@code hook_z}) zeroed or replaced by its mean over positions. */
    record AblateHead(int layer, int head, Mode mode) implements Intervention {
        @Override
        public String hook() {
            return "blocks." + layer + ".attn.hook_z";
        }

        @Override
        public NDArray edit(NDManager manager, NDArray z) { // (T,H,hd)
            return ablate(manager, z, 1, head, mode);
        }
    }

    /** A head's output times {@code factor}. */
    record ScaleHead(int layer, int head, float factor) implements Intervention {
        @Override
        public String hook() {
            return "blocks." + layer + ".attn.hook_z";
        }

        @Override
        public NDArray edit(NDManager manager, NDArray z) {
            float[] factors = new float[(int) z.getShape().get(1)];
            java.util.Arrays.fill(factors, 1f);
            factors[head] = factor;
            return z.mul(along(manager, z, 1, factors));
        }
    }

    /** An MLP neuron (after GELU) zeroed or replaced by its mean over positions. */
    record AblateNeuron(int layer, int neuron, Mode mode) implements Intervention {
        @Override
        public String hook() {
            return "blocks." + layer + ".mlp.hook_post";
        }

        @Override
        public NDArray edit(NDManager manager, NDArray post) { // (T,4C)
            return ablate(manager, post, 1, neuron, mode);
        }
    }

    /** A (pos, d_model) stream's component along a direction removed, or set to its mean over positions. */
    record AblateDirection(String hook, float[] direction, Mode mode) implements Intervention {
        @Override
        public NDArray edit(NDManager manager, NDArray stream) { // (T,C)
            NDArray unit = manager.create(direction);
            unit = unit.div(unit.norm());
            NDArray component = stream.matMul(unit); // (T)
            NDArray removed = mode == Mode.ZERO ? component : component.sub(component.mean());
            return stream.sub(removed.expandDims(1).mul(unit.expandDims(0)));
        }
    }

    /**
     * The activation replaced by the one a second text of the same length made (activation patching), on the chosen
     * heads and positions (null: all).
     */
    record Patch(String hook, int[] sourceTokens, List<Integer> heads, List<Integer> positions) implements Intervention {

        /** {@code value} with {@code source} (the source text's activation, same shape) taken where chosen. */
        NDArray patched(NDManager manager, NDArray value, NDArray source, List<String> axes) {
            NDArray take = manager.ones(new Shape(1)); // 1 where the source's value is taken
            int headAxis = axes.indexOf(HookNames.HEAD);
            int posAxis = axes.contains(HookNames.POS) ? axes.indexOf(HookNames.POS) : axes.indexOf(HookNames.QUERY);
            if (heads != null && headAxis >= 0) {
                take = take.mul(chosen(manager, value, headAxis, heads));
            }
            if (positions != null && posAxis >= 0) {
                take = take.mul(chosen(manager, value, posAxis, positions));
            }
            return value.mul(take.neg().add(1)).add(source.mul(take));
        }

        private static NDArray chosen(NDManager manager, NDArray value, int axis, List<Integer> indices) {
            float[] flags = new float[(int) value.getShape().get(axis)];
            for (int index : indices) {
                flags[index] = 1f;
            }
            return along(manager, value, axis, flags);
        }
    }

    /** Scores not divided by √d_head, in one layer or (null) every layer. */
    record NoScaling(Integer layer) implements Intervention {}

    /** The causal mask lifted, in one layer or (null) every layer. */
    record NoCausalMask(Integer layer) implements Intervention {}

    /** The position embeddings left out. */
    record NoPositionalEmbeddings() implements Intervention {}

    /** A LayerNorm ({@code blocks.L.ln1}, {@code blocks.L.ln2}, {@code ln_final}) passes its input through. */
    record SkipLayerNorm(String layerNorm) implements Intervention {}

    /** Index {@code index} along {@code axis} zeroed, or set to its mean over axis 0 (positions). */
    private static NDArray ablate(NDManager manager, NDArray value, int axis, int index, Mode mode) {
        float[] keep = new float[(int) value.getShape().get(axis)];
        java.util.Arrays.fill(keep, 1f);
        keep[index] = 0f;
        NDArray kept = along(manager, value, axis, keep);
        NDArray result = value.mul(kept);
        return mode == Mode.ZERO ? result : result.add(value.mean(new int[] {0}, true).mul(kept.neg().add(1)));
    }

    /** {@code values} laid along {@code axis} of {@code like}'s shape, size 1 on every other axis (for broadcasting). */
    private static NDArray along(NDManager manager, NDArray like, int axis, float[] values) {
        long[] shape = new long[like.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[axis] = values.length;
        return manager.create(values, new Shape(shape));
    }
}
