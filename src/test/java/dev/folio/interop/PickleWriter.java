package dev.folio.interop;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes pickles as Python's pickler does, opcode by opcode, for tests: protocol 2 as torch.save writes a state dict, or
 * protocol 4 (frames, memoize) as pickle.dump writes nanoGPT's meta.pkl. Independent of {@link Unpickler}.
 */
final class PickleWriter {

    /** {@code collections.OrderedDict} with these items. */
    record Ordered(Map<String, ?> items) {}

    /** A global, e.g. {@code os.system}: what a hostile pickle names. */
    record Global(String module, String name) {}

    /** {@code callable(*args)}. */
    record Call(Object callable, List<?> args) {}

    /** {@code torch._utils._rebuild_tensor_v2} of float storage {@code key}. */
    record TensorEntry(String key, long storageElements, long offset, long[] shape, long[] stride) {
        TensorEntry(String key, long storageElements, long[] shape) {
            this(key, storageElements, 0, shape, contiguous(shape));
        }

        static long[] contiguous(long[] shape) {
            long[] stride = new long[shape.length];
            long s = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                stride[d] = s;
                s *= shape[d];
            }
            return stride;
        }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final boolean protocol4;
    private int memo;

    private PickleWriter(boolean protocol4) {
        this.protocol4 = protocol4;
    }

    static byte[] protocol2(Object value) {
        return new PickleWriter(false).dump(value);
    }

    static byte[] protocol4(Object value) {
        return new PickleWriter(true).dump(value);
    }

    private byte[] dump(Object value) {
        op(0x80);
        op(protocol4 ? 4 : 2);
        if (protocol4) { // one frame holding the rest, as pickle.dump writes small pickles
            PickleWriter body = new PickleWriter(true);
            body.write(value);
            body.op('.');
            byte[] bytes = body.out.toByteArray();
            op(0x95);
            out.writeBytes(le(8).putLong(bytes.length).array());
            out.writeBytes(bytes);
            return out.toByteArray();
        }
        write(value);
        op('.');
        return out.toByteArray();
    }

    private void write(Object value) {
        if (value == null) {
            op('N');
        } else if (value instanceof Boolean b) {
            op(b ? 0x88 : 0x89);
        } else if (value instanceof Integer || value instanceof Long) {
            long n = ((Number) value).longValue();
            if (n >= 0 && n < 256) {
                op('K');
                op((int) n);
            } else if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) {
                op('J');
                out.writeBytes(le(4).putInt((int) n).array());
            } else {
                op(0x8a);
                op(8);
                out.writeBytes(le(8).putLong(n).array());
            }
        } else if (value instanceof Double d) {
            op('G');
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(d).array());
        } else if (value instanceof String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            if (protocol4 && utf8.length < 256) {
                op(0x8c);
                op(utf8.length);
            } else {
                op('X');
                out.writeBytes(le(4).putInt(utf8.length).array());
            }
            out.writeBytes(utf8);
            memoize();
        } else if (value instanceof Map<?, ?> map) {
            op('}');
            memoize();
            setItems(map);
        } else if (value instanceof Ordered ordered) {
            write(new Call(new Global("collections", "OrderedDict"), List.of()));
            setItems(ordered.items());
        } else if (value instanceof List<?> tuple) {
            op('(');
            tuple.forEach(this::write);
            op('t');
            memoize();
        } else if (value instanceof Global g) {
            if (protocol4) {
                write(g.module());
                write(g.name());
                op(0x93);
            } else {
                op('c');
                out.writeBytes((g.module() + "\n" + g.name() + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            memoize();
        } else if (value instanceof Call call) {
            write(call.callable());
            write(call.args());
            op('R');
            memoize();
        } else if (value instanceof TensorEntry t) {
            write(new Global("torch._utils", "_rebuild_tensor_v2"));
            op('(');
            write(List.of("storage", new Global("torch", "FloatStorage"), t.key(), "cpu", t.storageElements()));
            op('Q');
            write(t.offset());
            write(longs(t.shape()));
            write(longs(t.stride()));
            write(false);
            write(new Ordered(Map.of()));
            op('t');
            op('R');
            memoize();
        } else {
            throw new IllegalArgumentException("cannot pickle " + value.getClass());
        }
    }

    private void setItems(Map<?, ?> map) {
        if (map.isEmpty()) {
            return;
        }
        op('(');
        map.forEach((k, v) -> {
            write(k);
            write(v);
        });
        op('u');
    }

    private void memoize() {
        if (protocol4) {
            op(0x94);
        } else {
            op('q');
            op(memo & 0xff);
        }
        memo++;
    }

    private static List<Long> longs(long[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }

    private void op(int b) {
        out.write(b);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
