package dev.folio.interop;

import java.util.Arrays;

/**
 * A float32 tensor held on the Java heap, row-major: how weights travel between a file format and the model.
 *
 * @param shape the dimensions; {@code []} is a scalar
 * @param values {@code product(shape)} numbers
 */
public record Tensor(long[] shape, float[] values) {

    public Tensor {
        shape = shape.clone();
        if (elements(shape) != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + elements(shape) + " values, not " + values.length);
        }
    }

    /** Elements a shape holds; -1 when a dimension is negative or the product overflows. */
    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    /** A matrix with its two axes swapped: Hugging Face's Conv1D keeps (in, out) where a Linear keeps (out, in). */
    public Tensor transposed() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("only a matrix transposes, not a tensor of shape " + Arrays.toString(shape));
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = values[r * cols + c];
            }
        }
        return new Tensor(new long[] {cols, rows}, out);
    }

    /** Zeros of a shape (the biases Hugging Face's GPT-2 carries where Folio's model has none). */
    public static Tensor zeros(long... shape) {
        return new Tensor(shape, new float[Math.toIntExact(elements(shape))]);
    }

    /** The index of the first NaN or infinity, or -1. */
    public int firstNonFinite() {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return i;
            }
        }
        return -1;
    }

    public boolean isAllZero() {
        for (float v : values) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Tensor" + shapeText();
    }
}
