package dev.folio.interop;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the pickles a PyTorch state dict and nanoGPT's {@code meta.pkl} are made of, and nothing else: Python's own loader
 * (and PyTorch's, and JVM libraries that imitate it) call whatever global a file names, so a checkpoint can run code. This
 * one knows a fixed set of opcodes and globals ({@link #GLOBALS}); any other opcode or global is refused with its name before
 * anything is built from it. Every length is checked against the bytes that remain, so a hostile length allocates nothing.
 *
 * <p>Values: {@code dict}/{@code OrderedDict} → {@link LinkedHashMap}, {@code list} and {@code tuple} → {@link List},
 * {@code str} → String, {@code int} → Long (BigInteger beyond), {@code float} → Double, {@code bool} → Boolean,
 * {@code None} → null, a persisted storage → {@link StorageRef}, a rebuilt tensor → {@link TensorRef}.
 */
public final class Unpickler {

    /** The globals a file may name: OrderedDict, PyTorch's tensor rebuild, and the storage types named in persistent ids. */
    static final Set<String> GLOBALS = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch.FloatStorage",
            "torch.HalfStorage", "torch.BFloat16Storage", "torch.DoubleStorage", "torch.LongStorage", "torch.IntStorage",
            "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage", "torch.BoolStorage");

    /** A tensor storage kept beside the pickle (in a checkpoint's zip, {@code data/<key>}). */
    public record StorageRef(String type, String key, long elements) {}

    /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)}: a view of a storage, not yet read. */
    public record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    /** A global the file named, from {@link #GLOBALS}. */
    private record Global(String name) {}

    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final String where;
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final List<Object> values = new ArrayList<>(); // the stack as a list (ArrayDeque cannot hold null)
    private final Map<Long, Object> memo = new HashMap<>();

    private Unpickler(byte[] pickle, String where) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.where = where;
    }

    /** The object a pickle holds; {@code where} names the file in errors. */
    public static Object load(byte[] pickle, String where) {
        return new Unpickler(pickle, where).run();
    }

    private Object run() {
        try {
            return next();
        } catch (java.nio.BufferUnderflowException e) {
            throw refused("the pickle ends in the middle of an opcode");
        }
    }

    private Object next() {
        while (in.hasRemaining()) {
            int at = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO n
                case 0x95 -> bytes(8); // FRAME: a length hint only
                case '.' -> {
                    return pop();
                }
                case '(' -> marks.push(values.size());
                case '}' -> push(new LinkedHashMap<>());
                case ']' -> push(new ArrayList<>());
                case ')' -> push(tuple(List.of()));
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> push((long) (in.get() & 0xff));
                case 'M' -> push((long) (in.getShort() & 0xffff));
                case 'J' -> push((long) in.getInt());
                case 0x8a -> push(longValue(bytes(in.get() & 0xff)));
                case 0x8b -> push(longValue(bytes(length(in.getInt()))));
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian in the pickle
                case 'X' -> push(text(length(in.getInt())));
                case 0x8c -> push(text(in.get() & 0xff));
                case 0x8d -> push(text(length(in.getLong())));
                case 't' -> push(tuple(popMark()));
                case 0x85 -> push(tuple(popN(1)));
                case 0x86 -> push(tuple(popN(2)));
                case 0x87 -> push(tuple(popN(3)));
                case 'a' -> {
                    Object item = pop();
                    list(peek()).add(item);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case 's' -> {
                    Object value = pop();
                    Object key = pop();
                    map(peek()).put(key, value);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> map = map(peek());
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        map.put(items.get(i), items.get(i + 1));
                    }
                }
                case 'q' -> memo.put((long) (in.get() & 0xff), peek());
                case 'r' -> memo.put((long) in.getInt() & 0xffffffffL, peek());
                case 0x94 -> memo.put((long) memo.size(), peek());
                case 'h' -> push(memoized(in.get() & 0xff));
                case 'j' -> push(memoized(in.getInt() & 0xffffffffL));
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(peek());
                case 'c' -> push(global(line() + "." + line()));
                case 0x93 -> {
                    Object name = pop();
                    Object module = pop();
                    push(global(module + "." + name));
                }
                case 'R' -> {
                    Object args = pop();
                    push(call(pop(), list(args)));
                }
                case 'Q' -> push(persistent(pop()));
                case 'b' -> build(pop(), peek());
                default -> throw refused("opcode 0x" + Integer.toHexString(op) + " at byte " + at + " is not one a state dict needs");
            }
        }
        throw refused("the pickle ends without its STOP opcode");
    }

    private Object global(String name) {
        if (!GLOBALS.contains(name)) {
            throw refused("it names the global " + name + ", which is not on the allow-list (" + String.join(", ", GLOBALS.stream().sorted().toList())
                    + "); nothing from this file is run or published");
        }
        return new Global(name);
    }

    private Object call(Object callable, List<Object> args) {
        if (!(callable instanceof Global global)) {
            throw refused("it calls " + describe(callable) + ", which is not a global");
        }
        return switch (global.name()) {
            case "collections.OrderedDict" -> {
                if (!args.isEmpty()) {
                    throw refused("OrderedDict is called with arguments");
                }
                yield new LinkedHashMap<>();
            }
            case "torch._utils._rebuild_tensor_v2" -> rebuildTensor(args);
            default -> throw refused("it calls " + global.name() + ", which is only a storage type");
        };
    }

    /** (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]). */
    private TensorRef rebuildTensor(List<Object> args) {
        if (args.size() < 4 || !(args.get(0) instanceof StorageRef storage) || !(args.get(1) instanceof Long offset)) {
            throw refused("_rebuild_tensor_v2 is called with " + args.size() + " arguments of the wrong kinds");
        }
        return new TensorRef(storage, offset, longs(args.get(2), "size"), longs(args.get(3), "stride"));
    }

    /** ('storage', StorageType, key, location, numel), as torch.save writes it. */
    private StorageRef persistent(Object pid) {
        List<Object> id = pid instanceof List<?> l ? list(l) : List.of();
        if (id.size() != 5 || !"storage".equals(id.get(0)) || !(id.get(1) instanceof Global type) || !(id.get(2) instanceof String key)
                || !(id.get(4) instanceof Long elements) || elements < 0) {
            throw refused("a persistent id is not a storage reference: " + describe(pid));
        }
        return new StorageRef(type.name().substring("torch.".length()), key, elements);
    }

    /** BUILD on an OrderedDict sets attributes (a state dict's {@code _metadata}), which a state dict's reader needs not. */
    private void build(Object state, Object target) {
        if (!(target instanceof Map)) {
            throw refused("BUILD sets the state of " + describe(target));
        }
    }

    private long[] longs(Object value, String what) {
        List<Object> items = value instanceof List<?> l ? list(l) : null;
        if (items == null) {
            throw refused("a tensor's " + what + " is " + describe(value));
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(items.get(i) instanceof Long n)) {
                throw refused("a tensor's " + what + " holds " + describe(items.get(i)));
            }
            out[i] = n;
        }
        return out;
    }

    private Object memoized(long index) {
        if (!memo.containsKey(index)) {
            throw refused("it reads memo entry " + index + ", which was never stored");
        }
        return memo.get(index);
    }

    private static Object longValue(byte[] littleEndianTwosComplement) {
        byte[] bigEndian = new byte[littleEndianTwosComplement.length];
        for (int i = 0; i < bigEndian.length; i++) {
            bigEndian[i] = littleEndianTwosComplement[bigEndian.length - 1 - i];
        }
        if (bigEndian.length == 0) {
            return 0L;
        }
        BigInteger value = new BigInteger(bigEndian);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private int length(long claimed) {
        if (claimed < 0 || claimed > in.remaining()) {
            throw refused("a length of " + claimed + " at byte " + in.position() + " runs past the end of the pickle");
        }
        return (int) claimed;
    }

    private byte[] bytes(int n) {
        byte[] out = new byte[length(n)];
        in.get(out);
        return out;
    }

    private String text(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String line() {
        StringBuilder s = new StringBuilder();
        for (byte b; (b = in.get()) != '\n'; ) {
            if (s.length() > 256) {
                throw refused("a global's name runs past 256 characters");
            }
            s.append((char) (b & 0xff));
        }
        return s.toString();
    }

    /** A tuple as a list: nothing here needs it to stay unchanged. */
    private static List<Object> tuple(List<Object> items) {
        return new ArrayList<>(items);
    }

    private void push(Object value) {
        values.add(value);
    }

    private Object pop() {
        if (values.isEmpty() || (!marks.isEmpty() && marks.peek() == values.size())) {
            throw refused("an opcode at byte " + (in.position() - 1) + " pops an empty stack");
        }
        return values.remove(values.size() - 1);
    }

    private Object peek() {
        if (values.isEmpty()) {
            throw refused("an opcode at byte " + (in.position() - 1) + " reads an empty stack");
        }
        return values.get(values.size() - 1);
    }

    private List<Object> popN(int n) {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(0, pop());
        }
        return items;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw refused("an opcode at byte " + (in.position() - 1) + " needs a MARK there is not");
        }
        int mark = marks.pop();
        List<Object> top = values.subList(mark, values.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object value) {
        if (value instanceof ArrayList<?>) {
            return (List<Object>) value;
        }
        throw refused("a list was expected, not " + describe(value));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map(Object value) {
        if (value instanceof LinkedHashMap<?, ?>) {
            return (Map<Object, Object>) value;
        }
        throw refused("a dict was expected, not " + describe(value));
    }

    private static String describe(Object value) {
        return value == null ? "None" : value instanceof Global g ? g.name() : value.getClass().getSimpleName();
    }

    private RefusedFileException refused(String why) {
        return new RefusedFileException(where + ": refused: " + why);
    }
}
