package dev.folio.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * How a {@link Tensor} travels: JSON numbers for small selections, or base64 of float32, float16 or 8-bit integers
 * with a scale; densely, or (attention-shaped tensors) only the causal lower triangle. Each encoded tensor states the
 * most any decoded value differs from the float32 one.
 */
public final class TensorEncoding {

    public enum Encoding {
        JSON, FLOAT32, FLOAT16, INT8;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Bytes one value takes in the answer, rounded up (JSON: a float32 printed in full, and its comma). */
        public double bytesPerValue() {
            return switch (this) {
                case JSON -> 14;
                case FLOAT32 -> 4 * 4 / 3.0;
                case FLOAT16 -> 2 * 4 / 3.0;
                case INT8 -> 4 / 3.0;
            };
        }
    }

    public enum Layout {
        DENSE, CAUSAL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** int8's marker of a masked score ({@link HookedGpt#MASKED}): outside the -127..127 the values use. */
    public static final byte INT8_MASKED = -128;
    private static final double FLOAT16_RELATIVE = Math.scalb(1.0, -11);
    private static final double FLOAT16_SUBNORMAL = Math.scalb(1.0, -24);

    /**
     * @param scale int8 only: a value is q × scale
     * @param data nested arrays (json) or a base64 string
     */
    public record Encoded(List<String> axes, int[] shape, String dtype, String encoding, String layout, double maxError, Float scale,
            Object data) {}

    private TensorEncoding() {}

    /** Values {@code layout} sends: all, or for attention-shaped tensors each row's keys up to its own position. */
    public static int valuesSent(Tensor tensor, Layout layout) {
        return layout == Layout.CAUSAL && tensor.isAttention() ? triangle(tensor).length : tensor.size();
    }

    /** Values a tensor of this shape sends, for estimates before anything runs. */
    public static long valuesSent(long leading, int firstQuery, int queries, int keys, boolean attention, Layout layout) {
        if (!(attention && layout == Layout.CAUSAL)) {
            return leading * queries * keys;
        }
        long perLeading = 0;
        for (int i = 0; i < queries; i++) {
            perLeading += Math.min(firstQuery + i + 1, keys);
        }
        return leading * perLeading;
    }

    public static Encoded encode(Tensor tensor, Encoding encoding, Layout layout) {
        Layout used = tensor.isAttention() ? layout : Layout.DENSE;
        float[] values = used == Layout.CAUSAL ? triangle(tensor) : tensor.values();
        String dtype = "float32";
        return switch (encoding) {
            case JSON -> new Encoded(tensor.axes(), tensor.shape(), dtype, encoding.wireName(), used.wireName(), 0, null,
                    used == Layout.CAUSAL ? nestedTriangle(tensor, values) : nested(values, tensor.shape(), 0, 0));
            case FLOAT32 -> new Encoded(tensor.axes(), tensor.shape(), dtype, encoding.wireName(), used.wireName(), 0, null,
                    base64(littleEndian(values)));
            case FLOAT16 -> new Encoded(tensor.axes(), tensor.shape(), dtype, encoding.wireName(), used.wireName(),
                    maxAbs(values) * FLOAT16_RELATIVE + FLOAT16_SUBNORMAL, null, base64(float16(values)));
            case INT8 -> int8(tensor, values, used);
        };
    }

    private static Encoded int8(Tensor tensor, float[] values, Layout layout) {
        float max = maxAbs(values);
        float scale = max > 0 ? max / 127f : 1f;
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = values[i] == HookedGpt.MASKED ? INT8_MASKED : (byte) Math.max(-127, Math.min(127, Math.round(values[i] / scale)));
        }
        return new Encoded(tensor.axes(), tensor.shape(), "float32", Encoding.INT8.wireName(), layout.wireName(), scale / 2.0, scale,
                base64(bytes));
    }

    /** The largest |value|, leaving out masked scores. */
    private static float maxAbs(float[] values) {
        float max = 0;
        for (float value : values) {
            if (value != HookedGpt.MASKED) {
                max = Math.max(max, Math.abs(value));
            }
        }
        return max;
    }

    /** Rounded to nearest by libtorch, little-endian. */
    private static byte[] float16(float[] values) {
        try (NDManager scratch = NDManager.newBaseManager()) {
            NDArray half = scratch.create(values).toType(DataType.FLOAT16, false);
            ByteBuffer buffer = half.toByteBuffer().order(ByteOrder.nativeOrder());
            byte[] bytes = new byte[values.length * 2];
            for (int i = 0; i < values.length; i++) {
                short bits = buffer.getShort(2 * i);
                bytes[2 * i] = (byte) bits;
                bytes[2 * i + 1] = (byte) (bits >> 8);
            }
            return bytes;
        }
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** For each leading index and each query row (absolute position p), the keys 0..p. */
    private static float[] triangle(Tensor tensor) {
        int[] shape = tensor.shape();
        int queries = shape[shape.length - 2];
        int keys = shape[shape.length - 1];
        int leading = tensor.size() / Math.max(1, queries * keys);
        float[] out = new float[(int) valuesSent(leading, tensor.firstQuery(), queries, keys, true, Layout.CAUSAL)];
        int at = 0;
        for (int l = 0; l < leading; l++) {
            for (int i = 0; i < queries; i++) {
                int row = Math.min(tensor.firstQuery() + i + 1, keys);
                System.arraycopy(tensor.values(), (l * queries + i) * keys, out, at, row);
                at += row;
            }
        }
        return out;
    }

    /** Nested lists in shape order; the innermost level a float[] (written as JSON numbers). */
    private static Object nested(float[] values, int[] shape, int axis, int offset) {
        if (shape.length == 0) {
            return values[0];
        }
        int inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        if (axis == shape.length - 1) {
            return java.util.Arrays.copyOfRange(values, offset, offset + shape[axis]);
        }
        List<Object> rows = new ArrayList<>(shape[axis]);
        for (int i = 0; i < shape[axis]; i++) {
            rows.add(nested(values, shape, axis + 1, offset + i * inner));
        }
        return rows;
    }

    /** As {@link #nested} for the causal layout: the query rows hold 1, 2, ... values. */
    private static Object nestedTriangle(Tensor tensor, float[] values) {
        int[] shape = tensor.shape();
        int queries = shape[shape.length - 2];
        int keys = shape[shape.length - 1];
        int leading = tensor.size() / Math.max(1, queries * keys);
        List<Object> heads = new ArrayList<>();
        int at = 0;
        for (int l = 0; l < leading; l++) {
            List<Object> rows = new ArrayList<>();
            for (int i = 0; i < queries; i++) {
                int row = Math.min(tensor.firstQuery() + i + 1, keys);
                rows.add(java.util.Arrays.copyOfRange(values, at, at + row));
                at += row;
            }
            heads.add(rows);
        }
        return shape.length == 2 ? heads.get(0) : heads; // attention tensors are (head, query, key) or (query, key)
    }
}
