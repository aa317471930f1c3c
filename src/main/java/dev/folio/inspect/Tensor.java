package dev.folio.inspect;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.List;

/**
 * An activation copied out of libtorch: float32 values in row-major order, its shape and the names of its axes.
 *
 * @param firstQuery the absolute position of the first row of a {@code query} axis (a selection may start later)
 */
public record Tensor(float[] values, int[] shape, List<String> axes, int firstQuery) {

    public static Tensor of(NDArray array, List<String> axes) {
        long[] dims = array.getShape().getShape();
        return new Tensor(array.toFloatArray(), Arrays.stream(dims).mapToInt(Math::toIntExact).toArray(), List.copyOf(axes), 0);
    }

    /** Only {@code indices} (in that order) along the axis named {@code axis}; the tensor itself when it has no such axis. */
    public Tensor select(String axis, int[] indices) {
        int a = axes.indexOf(axis);
        if (a < 0) {
            return this;
        }
        int outer = 1;
        for (int i = 0; i < a; i++) {
            outer *= shape[i];
        }
        int inner = 1;
        for (int i = a + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        float[] out = new float[outer * indices.length * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < indices.length; j++) {
                System.arraycopy(values, (o * shape[a] + indices[j]) * inner, out, (o * indices.length + j) * inner, inner);
            }
        }
        int[] newShape = shape.clone();
        newShape[a] = indices.length;
        int first = axis.equals(HookNames.QUERY) && indices.length > 0 ? indices[0] : firstQuery;
        return new Tensor(out, newShape, axes, first);
    }

    /** Whether the last two axes are (query, key): an attention-shaped tensor, which the causal layout halves. */
    public boolean isAttention() {
        return axes.size() >= 2 && axes.get(axes.size() - 2).equals(HookNames.QUERY) && axes.get(axes.size() - 1).equals(HookNames.KEY);
    }

    public int size() {
        return values.length;
    }
}
