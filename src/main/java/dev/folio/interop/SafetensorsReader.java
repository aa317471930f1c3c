package dev.folio.interop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a safetensors file, trusting nothing in its header: the header must fit in the file, every tensor's byte range must
 * lie inside the data, match its dtype and shape, and not overlap another, and the ranges must cover the data with no gap
 * (as Hugging Face's own reader requires). Floating-point dtypes are read as float32. DJL's {@code NDList.decode} reads the
 * format too, but allocates whatever the header claims and checks no range, so it is not used on files from elsewhere.
 */
public final class SafetensorsReader {

    /** The largest header read, as Hugging Face's reader bounds it. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private SafetensorsReader() {}

    /** One tensor's entry in the header. */
    private record Entry(String name, String dtype, long[] shape, long begin, long end) {}

    /** The tensors, in the header's order. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        String where = file.getFileName().toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw refused(where, "is " + size + " bytes long, too short for a header length");
            }
            long headerLength = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength < 2 || headerLength > size - 8) {
                throw refused(where, "the header claims " + Long.toUnsignedString(headerLength) + " bytes but the file holds " + (size - 8)
                        + " after the header length");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw refused(where, "the header claims " + headerLength + " bytes, more than the " + MAX_HEADER_BYTES + " read");
            }
            String headerText = StandardCharsets.UTF_8.decode(readFully(channel, 8, (int) headerLength)).toString();
            long dataStart = 8 + headerLength;
            List<Entry> entries = entries(where, headerText, size - dataStart);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                ByteBuffer bytes = readFully(channel, dataStart + e.begin(), Math.toIntExact(e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
                tensors.put(e.name(), new Tensor(e.shape(), Dtype.valueOf(e.dtype()).decode(bytes)));
            }
            return tensors;
        }
    }

    private static List<Entry> entries(String where, String headerText, long dataLength) {
        JsonNode header;
        try {
            header = JSON.readTree(headerText);
        } catch (JacksonException e) {
            throw refused(where, "the header is not JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw refused(where, "the header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            String name = field.getKey();
            JsonNode info = field.getValue();
            if (name.equals("__metadata__")) {
                if (!info.isObject() || info.properties().stream().anyMatch(m -> !m.getValue().isString())) {
                    throw refused(where, "__metadata__ must map strings to strings");
                }
                continue;
            }
            entries.add(entry(where, name, info, dataLength));
        }
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : entries) {
            if (e.begin() < expected) {
                throw refused(where, "tensor " + e.name() + "'s bytes [" + e.begin() + ", " + e.end() + ") overlap another tensor's");
            }
            if (e.begin() > expected) {
                throw refused(where, "bytes [" + expected + ", " + e.begin() + ") before tensor " + e.name() + " belong to no tensor");
            }
            expected = e.end();
        }
        if (expected != dataLength) {
            throw refused(where, "the tensors end at byte " + expected + " of the data, which holds " + dataLength);
        }
        return entries;
    }

    private static Entry entry(String where, String name, JsonNode info, long dataLength) {
        String prefix = "tensor " + name + ": ";
        if (!info.isObject() || !info.path("dtype").isString() || !info.path("shape").isArray() || !info.path("data_offsets").isArray()) {
            throw refused(where, prefix + "needs dtype, shape and data_offsets");
        }
        String dtype = info.get("dtype").asString();
        if (!Dtype.known(dtype)) {
            throw refused(where, prefix + "dtype " + dtype + " is not a floating-point type Folio reads (F32, F16, BF16, F64)");
        }
        JsonNode shapeNode = info.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw refused(where, prefix + "shape " + shapeNode + " is not a list of non-negative integers");
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = info.get("data_offsets");
        if (offsets.size() != 2 || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw refused(where, prefix + "data_offsets " + offsets + " is not [begin, end]");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLength) {
            throw refused(where, prefix + "data_offsets [" + begin + ", " + end + "] fall outside the " + dataLength + " bytes of data");
        }
        long elements = Tensor.elements(shape);
        long bytes = elements < 0 ? -1 : elements * Dtype.valueOf(dtype).size;
        if (elements < 0 || elements > Integer.MAX_VALUE || bytes != end - begin) {
            throw refused(where, prefix + "shape " + shapeNode + " of " + dtype + " needs " + (bytes < 0 ? "too many" : String.valueOf(bytes))
                    + " bytes, data_offsets give " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    private static RefusedFileException refused(String where, String why) {
        return new RefusedFileException(where + ": not a safetensors file Folio reads: " + why);
    }

    /** The floating-point dtypes read, each decoded to float32. */
    enum Dtype {
        F32(4), F16(2), BF16(2), F64(8);

        final int size;

        Dtype(int size) {
            this.size = size;
        }

        static boolean known(String name) {
            for (Dtype d : values()) {
                if (d.name().equals(name)) {
                    return true;
                }
            }
            return false;
        }

        float[] decode(ByteBuffer bytes) {
            float[] out = new float[bytes.remaining() / size];
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (this) {
                    case F32 -> bytes.getFloat();
                    case F64 -> (float) bytes.getDouble();
                    case F16 -> halfToFloat(bytes.getShort());
                    case BF16 -> Float.intBitsToFloat((bytes.getShort() & 0xffff) << 16);
                };
            }
            return out;
        }

        /** IEEE 754 binary16 to float32 (Float.float16ToFloat needs Java 20). */
        static float halfToFloat(short half) {
            int sign = (half & 0x8000) << 16;
            int exponent = (half >>> 10) & 0x1f;
            int mantissa = half & 0x3ff;
            if (exponent == 0x1f) {
                return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13)); // infinity or NaN
            }
            if (exponent == 0) { // zero or subnormal: mantissa · 2^-24
                float magnitude = mantissa * 0x1p-24f;
                return sign == 0 ? magnitude : -magnitude;
            }
            return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
        }
    }
}
