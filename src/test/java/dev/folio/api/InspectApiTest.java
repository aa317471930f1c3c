package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The inspection routes over real HTTP, on the bundled model. */
class InspectApiTest extends BundledModelServerTest {

    private static final String TEXT = "ROMEO:\\nBut soft, what light";

    private ApiClient client() {
        return new ApiClient(port);
    }

    @Test
    void capturesPatternsWhoseRowsSumToOneAndNameTheVersionRead() throws Exception {
        ApiClient client = client();
        HttpResponse<String> response = client.post("/inspect", """
                {"inputs": "%s", "hooks": ["blocks.*.attn.hook_pattern"], "heads": [1, 3], "top_k": 3}""".formatted(TEXT));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = client.json(response.body());
        assertThat(body.get("model_version").asString()).isEqualTo(BUNDLED + ":" + response.headers().firstValue(ModelVersionHeader.NAME).orElseThrow());
        assertThat(body.get("tokens")).hasSize(27);
        assertThat(body.get("next_token").get("top")).hasSize(3);
        JsonNode tensors = body.get("tensors");
        assertThat(tensors.propertyNames()).containsExactly("blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern",
                "blocks.2.attn.hook_pattern", "blocks.3.attn.hook_pattern");
        JsonNode pattern = tensors.get("blocks.2.attn.hook_pattern");
        assertThat(pattern.get("shape").toString()).isEqualTo("[2,27,27]");
        assertThat(pattern.get("axes").toString()).isEqualTo("[\"head\",\"query\",\"key\"]");
        for (JsonNode head : pattern.get("data")) {
            int query = 0;
            for (JsonNode row : head) {
                double sum = 0;
                for (int key = 0; key < row.size(); key++) {
                    double value = row.get(key).asDouble();
                    if (key > query) {
                        assertThat(value).isZero();
                    }
                    sum += value;
                }
                assertThat(sum).isCloseTo(1.0, Offset.offset(1e-5));
                query++;
            }
        }
    }

    @Test
    void compactEncodingsDecodeToTheFloat32ValuesWithinTheirStatedError() throws Exception {
        ApiClient client = client();
        String ask = """
                {"inputs": "%s", "hooks": ["blocks.1.attn.hook_attn_scores", "blocks.1.mlp.hook_pre", "ln_final.hook_normalized"],
                 "positions": {"start": 5, "end": 20}, "encoding": "%s", "layout": "causal"}""";
        JsonNode exact = client.json(client.post("/inspect", ask.formatted(TEXT, "float32")).body()).get("tensors");
        for (String encoding : List.of("float16", "int8", "json")) {
            HttpResponse<String> response = client.post("/inspect", ask.formatted(TEXT, encoding));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode tensors = client.json(response.body()).get("tensors");
            for (String hook : List.of("blocks.1.attn.hook_attn_scores", "blocks.1.mlp.hook_pre", "ln_final.hook_normalized")) {
                float[] truth = float32(exact.get(hook).get("data").asString());
                float[] decoded = decode(tensors.get(hook));
                double maxError = tensors.get(hook).get("max_error").asDouble();
                assertThat(decoded).as("%s in %s", hook, encoding).hasSize(truth.length);
                for (int i = 0; i < truth.length; i++) {
                    if (truth[i] == -1e9f) {
                        continue; // a masked score: -inf in float16, the marker -128 in int8
                    }
                    assertThat((double) Math.abs(decoded[i] - truth[i])).as("%s in %s, value %d", hook, encoding, i).isLessThanOrEqualTo(maxError + 1e-12);
                }
                if (!encoding.equals("json")) {
                    assertThat(maxError).as("%s in %s states an error", hook, encoding).isPositive();
                }
            }
        }
        JsonNode scores = exact.get("blocks.1.attn.hook_attn_scores");
        assertThat(scores.get("layout").asString()).isEqualTo("causal");
        assertThat(float32(scores.get("data").asString())).as("rows 5..19 keep keys 0..q").hasSize(4 * (6 + 20) * 15 / 2);
    }

    private static float[] float32(String base64) {
        java.nio.FloatBuffer floats = java.nio.ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[floats.remaining()];
        floats.get(values);
        return values;
    }

    /** A decoder written from docs/inspect.md's table, as a client would. */
    static float[] decode(JsonNode tensor) {
        String encoding = tensor.get("encoding").asString();
        switch (encoding) {
            case "float32":
                return float32(tensor.get("data").asString());
            case "float16": {
                byte[] bytes = Base64.getDecoder().decode(tensor.get("data").asString());
                float[] values = new float[bytes.length / 2];
                for (int i = 0; i < values.length; i++) {
                    values[i] = halfToFloat((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] & 0xff) << 8);
                }
                return values;
            }
            case "int8": {
                byte[] bytes = Base64.getDecoder().decode(tensor.get("data").asString());
                float scale = tensor.get("scale").floatValue();
                float[] values = new float[bytes.length];
                for (int i = 0; i < values.length; i++) {
                    values[i] = bytes[i] == -128 ? -1e9f : bytes[i] * scale;
                }
                return values;
            }
            default: {
                List<Float> flat = new ArrayList<>();
                flatten(tensor.get("data"), flat);
                float[] values = new float[flat.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = flat.get(i);
                }
                return values;
            }
        }
    }

    private static void flatten(JsonNode node, List<Float> into) {
        if (node.isArray()) {
            node.forEach(child -> flatten(child, into));
        } else {
            into.add(node.floatValue());
        }
    }

    /** IEEE binary16 to float. */
    static float halfToFloat(int bits) {
        int sign = (bits >> 15) & 1;
        int exponent = (bits >> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        float magnitude;
        if (exponent == 0) {
            magnitude = (float) (mantissa * Math.pow(2, -24));
        } else if (exponent == 31) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            magnitude = (float) ((1 + mantissa / 1024.0) * Math.pow(2, exponent - 15));
        }
        return sign == 1 ? -magnitude : magnitude;
    }
}
