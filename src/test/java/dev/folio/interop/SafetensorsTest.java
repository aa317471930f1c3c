package dev.folio.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** safetensors as written by Folio, read back by the format's rules; and headers that lie, refused. */
class SafetensorsTest {

    @TempDir
    Path dir;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theWrittenFileFollowsTheFormatByteForByte() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b.weight", new Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f}));
        tensors.put("a.bias", new Tensor(new long[] {3}, new float[] {0.25f, 0, Float.MIN_VALUE}));
        tensors.put("scalar", new Tensor(new long[] {}, new float[] {7}));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafetensorsWriter.write(out, tensors, Map.of("format", "pt"));
        byte[] file = out.toByteArray();

        // an independent reading: u64 little-endian header length, JSON, then the data
        long headerLength = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).as("tensors start 8-byte aligned").isZero();
        JsonNode header = JSON.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8).stripTrailing());
        assertThat(header.get("__metadata__").get("format").asString()).isEqualTo("pt");
        long dataStart = 8 + headerLength;
        long expectedBegin = 0;
        for (String name : List.of("b.weight", "a.bias", "scalar")) {
            JsonNode info = header.get(name);
            assertThat(info.get("dtype").asString()).isEqualTo("F32");
            long[] shape = JSON.treeToValue(info.get("shape"), long[].class);
            assertThat(shape).isEqualTo(tensors.get(name).shape());
            long begin = info.get("data_offsets").get(0).asLong();
            long end = info.get("data_offsets").get(1).asLong();
            assertThat(begin).as(name + " follows the one before").isEqualTo(expectedBegin);
            assertThat(end - begin).isEqualTo(4L * tensors.get(name).values().length);
            ByteBuffer data = ByteBuffer.wrap(file, (int) (dataStart + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : tensors.get(name).values()) {
                assertThat(data.getFloat()).isEqualTo(v);
            }
            expectedBegin = end;
        }
        assertThat(dataStart + expectedBegin).as("nothing after the last tensor").isEqualTo(file.length);

        assertThat(SafetensorsReader.read(Files.write(dir.resolve("m.safetensors"), file))).isEqualTo(tensors);
    }

    @Test
    void halfPrecisionAndBfloat16AreReadAsFloats() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3c00).putShort((short) 0xc000); // F16 1.0, -2.0
        data.putShort((short) 0x3f80).putShort((short) 0x4040); // BF16 1.0, 3.0
        Path file = file("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]}}", data.array());
        Map<String, Tensor> read = SafetensorsReader.read(file);
        assertThat(read.get("h").values()).containsExactly(1f, -2f);
        assertThat(read.get("b").values()).containsExactly(1f, 3f);
    }

    @Test
    void aHeaderClaimingMoreBytesThanTheFileHoldsIsRefused() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).put(header);
        Path file = Files.write(dir.resolve("big.safetensors"), bytes.array());
        assertThatThrownBy(() -> SafetensorsReader.read(file)).isInstanceOf(RefusedFileException.class)
                .hasMessageContaining("big.safetensors").hasMessageContaining("header claims 1099511627776 bytes");

        Path negative = Files.write(dir.resolve("neg.safetensors"), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
        assertThatThrownBy(() -> SafetensorsReader.read(negative)).hasMessageContaining("header claims 18446744073709551615");
    }

    @Test
    void offsetsOutOfRangeOverlappingWithGapsOrDisagreeingWithTheShapeAreRefused() {
        byte[] eight = new byte[8];
        assertThatThrownBy(() -> SafetensorsReader.read(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", eight)))
                .hasMessageContaining("outside the 8 bytes");
        assertThatThrownBy(() -> SafetensorsReader.read(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight))).hasMessageContaining("overlap");
        assertThatThrownBy(() -> SafetensorsReader.read(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight)))
                .hasMessageContaining("belong to no tensor");
        assertThatThrownBy(() -> SafetensorsReader.read(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", eight)))
                .hasMessageContaining("needs 12 bytes");
        assertThatThrownBy(() -> SafetensorsReader.read(file("{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", eight)))
                .hasMessageContaining("I64");
        assertThatThrownBy(() -> SafetensorsReader.read(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight))).hasMessageContaining("not JSON");
    }

    private Path file(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(json.length).put(json).put(data);
        return Files.write(Files.createTempFile(dir, "t", ".safetensors"), bytes.array());
    }
}
