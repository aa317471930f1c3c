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

    @Test
    void theLensAtTheLastStageIsWhatLogitsAnswers() throws Exception {
        ApiClient client = client();
        HttpResponse<String> response = client.post("/inspect/lens", """
                {"inputs": "%s", "top_k": 3}""".formatted(TEXT));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode lens = client.json(response.body());
        assertThat(lens.get("stages")).hasSize(9);
        assertThat(lens.get("stages").get(8).asString()).isEqualTo("blocks.3.hook_resid_post");
        JsonNode logits = client.json(client.post("/logits", """
                {"inputs": "%s", "positions": "all", "top_n": 3}""".formatted(TEXT)).body());
        JsonNode positions = lens.get("positions");
        assertThat(positions).hasSize(27);
        for (int p = 0; p < 27; p++) {
            JsonNode cells = positions.get(p).get("cells");
            JsonNode last = cells.get(8);
            assertThat(last.get("kl_to_final").asDouble()).isCloseTo(0, Offset.offset(1e-9));
            assertThat(cells.get(0).get("kl_to_final").asDouble()).as("the embeddings alone are not the model").isPositive();
            for (int k = 0; k < 3; k++) {
                JsonNode served = logits.get("positions").get(p).get("top").get(k);
                assertThat(last.get("top").get(k).get("id").asInt()).as("position %d, candidate %d", p, k).isEqualTo(served.get("id").asInt());
                assertThat(last.get("top").get(k).get("prob").asDouble()).isCloseTo(Math.exp(served.get("logprob").asDouble()), Offset.offset(1e-4));
            }
        }
    }

    @Test
    void liftingTheMaskChangesEarlierPositionsAndThePattern() throws Exception {
        ApiClient client = client();
        HttpResponse<String> response = client.post("/inspect/intervene", """
                {"inputs": "%s", "interventions": [{"kind": "no_causal_mask"}], "hooks": ["blocks.0.attn.hook_pattern"], "heads": [0],
                 "logit_diff": {"correct": "t", "wrong": "n"}}""".formatted(TEXT));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = client.json(response.body());
        JsonNode perPosition = body.get("per_position_kl");
        assertThat(perPosition).hasSize(27);
        for (int p = 0; p < 26; p++) {
            assertThat(perPosition.get(p).asDouble()).as("position %d sees later ones", p).isPositive();
        }
        assertThat(body.get("baseline").get("probs")).hasSize(65);
        assertThat(body.get("vocabulary")).hasSize(65);
        assertThat(body.get("logit_diff").get("change").asDouble())
                .isCloseTo(body.get("logit_diff").get("intervened").asDouble() - body.get("logit_diff").get("baseline").asDouble(), Offset.offset(1e-9));
        JsonNode firstRow = body.get("tensors").get("blocks.0.attn.hook_pattern").get("data").get(0).get(0);
        assertThat(firstRow.get(26).asDouble()).as("the first position attends to the last").isPositive();

        JsonNode ablated = client.json(client.post("/inspect/intervene", """
                {"inputs": "%s", "interventions": [{"kind": "ablate_head", "layer": 0, "head": 1}], "generate": {"max_new_tokens": 12}}"""
                .formatted(TEXT)).body());
        assertThat(ablated.get("kl").asDouble()).isPositive();
        assertThat(ablated.get("per_position_kl").get(0).asDouble()).as("position 0 attends to itself only: its head 1 output still matters")
                .isPositive();
        assertThat(ablated.get("generation").get("baseline").asString()).hasSize(12);
        assertThat(ablated.get("generation").get("intervened").asString()).hasSize(12);
    }

    @Test
    void patchingTheStreamFromTheCorruptedTextReproducesItsOutput() throws Exception {
        ApiClient client = client();
        String corrupted = "ROMEO:\\nBut hark, what night";
        JsonNode patched = client.json(client.post("/inspect/intervene", """
                {"inputs": "%s", "interventions": [{"kind": "patch", "hook": "blocks.0.hook_resid_pre", "source": "%s"}]}"""
                .formatted(TEXT, corrupted)).body());
        JsonNode target = client.json(client.post("/inspect/intervene", """
                {"inputs": "%s"}""".formatted(corrupted)).body());
        JsonNode probs = patched.get("intervened").get("probs");
        for (int v = 0; v < 65; v++) {
            assertThat(probs.get(v).asDouble()).as("token %d", v).isCloseTo(target.get("baseline").get("probs").get(v).asDouble(), Offset.offset(1e-5));
        }

        HttpResponse<String> sweep = client.post("/inspect/patching", """
                {"inputs": "%s", "corrupted": "%s", "grid": "layer_position", "stream": "resid_pre", "direction": "noise",
                 "metric": {"kind": "logit_diff", "correct": "t", "wrong": "n"}}""".formatted(TEXT, corrupted));
        assertThat(sweep.statusCode()).as(sweep.body()).isEqualTo(200);
        JsonNode grid = client.json(sweep.body());
        assertThat(grid.get("values")).hasSize(4);
        assertThat(grid.get("values").get(0)).hasSize(27);
        assertThat(grid.get("cost").get("runs").asInt()).isEqualTo(4 * 27);
        double clean = grid.get("clean_metric").asDouble();
        for (int p = 0; p < 11; p++) { // the texts agree up to "But " (position 11 is h/s): the same activation, the same output
            for (int layer = 0; layer < 4; layer++) {
                assertThat(grid.get("values").get(layer).get(p).asDouble()).as("layer %d position %d", layer, p).isCloseTo(clean, Offset.offset(1e-4));
            }
        }
        assertThat(Math.abs(grid.get("values").get(0).get(11).asDouble() - clean)).as("the differing token, patched in, changes the metric")
                .isGreaterThan(1e-3);

        JsonNode heads = client.json(client.post("/inspect/patching", """
                {"inputs": "%s", "corrupted": "%s", "metric": {"kind": "prob", "token": "t"}}""".formatted(TEXT, corrupted)).body());
        assertThat(heads.get("grid").asString()).isEqualTo("layer_head");
        assertThat(heads.get("values")).hasSize(4);
        assertThat(heads.get("values").get(3)).hasSize(4);
    }

    @Test
    void theEmbeddingsMapTheTokensAndComparePositions() throws Exception {
        ApiClient client = client();
        HttpResponse<String> response = client.get("/inspect/embeddings?neighbours=3&positions=64");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = client.json(response.body());
        assertThat(body.get("tokens")).hasSize(65);
        assertThat(body.get("tokens").get(10).get("neighbours")).hasSize(3);
        double first = body.get("explained_variance_ratio").get(0).asDouble();
        double second = body.get("explained_variance_ratio").get(1).asDouble();
        assertThat(first).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(second);
        assertThat(first + second).isLessThanOrEqualTo(1.0);
        JsonNode cosine = body.get("positional_cosine");
        assertThat(cosine.get("shape").toString()).isEqualTo("[64,64]");
        for (int p = 0; p < 64; p++) {
            assertThat(cosine.get("data").get(p).get(p).asDouble()).isCloseTo(1.0, Offset.offset(1e-5));
        }
    }

    @Test
    void aSingleTensorComesAsANumpyFile() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        HttpResponse<byte[]> response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/inspect"))
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
                        {"inputs": "%s", "hooks": ["blocks.2.attn.hook_pattern"], "encoding": "npy"}""".formatted(TEXT))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-npy");
        byte[] file = response.body();
        assertThat(new String(file, 1, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        int headerLength = (file[8] & 0xff) | (file[9] & 0xff) << 8;
        String header = new String(file, 10, headerLength, java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(header).contains("'descr': '<f4'").contains("'shape': (4, 27, 27)");
        assertThat((10 + headerLength) % 64).isZero();
        assertThat(file.length - 10 - headerLength).isEqualTo(4 * 4 * 27 * 27);
    }

    @Test
    void badAsksAreClearProblems() throws Exception {
        ApiClient client = client();
        assertProblem(client.post("/inspect", """
                {"inputs": "%s", "hooks": ["blocks.*.attn.hook_patern"]}""".formatted(TEXT)), 422, "hook_patern");
        assertProblem(client.post("/inspect", """
                {"inputs": "%s", "hooks": ["*"], "layers": [7]}""".formatted(TEXT)), 422, "layers");
        assertProblem(client.post("/inspect", """
                {"inputs": "%s", "hooks": ["*"]}""".formatted("a".repeat(256))), 422, "max-json-values");
        assertProblem(client.post("/inspect", """
                {"inputs": "%s", "hooks": ["*"], "encoding": "float32"}""".formatted("a".repeat(256))), 422, "max-response-bytes");
        assertProblem(client.post("/inspect", """
                {"inputs": "%s", "hooks": ["blocks.*.attn.hook_pattern"], "encoding": "npy"}""".formatted(TEXT)), 422, "npy");
        assertProblem(client.post("/inspect", """
                {"inputs": "%s"}""".formatted("a".repeat(257))), 422, "257");
        assertProblem(client.post("/inspect", """
                {"inputs": "café"}"""), 422, "inputs");
        assertProblem(client.post("/inspect", """
                {"inputs": "%s", "version": "v20000101-000000"}""".formatted(TEXT)), 404, "v20000101-000000");
        assertProblem(client.post("/inspect", """
                {"inputs": "%s", "version": "../etc"}""".formatted(TEXT)), 422, "version");
        assertProblem(client.post("/inspect/intervene", """
                {"inputs": "%s", "interventions": [{"kind": "ablate_head", "layer": 0, "head": 9}]}""".formatted(TEXT)), 422, "interventions[0].head");
        assertProblem(client.post("/inspect/intervene", """
                {"inputs": "%s", "interventions": [{"kind": "rewrite_weights"}]}""".formatted(TEXT)), 422, "rewrite_weights");
        assertProblem(client.post("/inspect/patching", """
                {"inputs": "%s", "corrupted": "short", "metric": {"kind": "prob", "token": "t"}}""".formatted(TEXT)), 422, "corrupted");
        assertProblem(client.post("/inspect/patching", """
                {"inputs": "%s", "corrupted": "%s", "grid": "layer_position", "metric": {"kind": "prob", "token": "t"}}"""
                .formatted("a".repeat(200), "b".repeat(200))), 422, "max-patching-runs");
        assertProblem(client.get("/inspect/embeddings?neighbours=99"), 422, "neighbours");
    }

    @Test
    void fieldsFolioDoesNotKnowAreRefusedNeverIgnored() throws Exception {
        ApiClient client = client();
        assertProblem(client.post("/inspect", """
                {"inputs": "%s", "hook": ["blocks.0.attn.hook_pattern"]}""".formatted(TEXT)), 422, "did you mean hooks?");
        assertProblem(client.post("/inspect/lens", """
                {"inputs": "%s", "temperature": 0.5}""".formatted(TEXT)), 422, "temperature is not a field");
        assertProblem(client.post("/inspect/intervene", """
                {"inputs": "%s", "interventions": [{"kind": "ablate_head", "layer": 0, "head": 1, "mod": "mean"}]}""".formatted(TEXT)),
                422, "interventions[0].mod");
        assertProblem(client.post("/logits", """
                {"inputs": "%s", "top_k": 3}""".formatted(TEXT)), 422, "top_k is not a field");
    }

    private void assertProblem(HttpResponse<String> response, int status, String mentions) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(response.body()).contains(mentions);
    }

    @Test
    void openApiDocumentsTheRoutesWithExamples() throws Exception {
        ApiClient client = client();
        JsonNode paths = client.json(client.get("/v3/api-docs").body()).get("paths");
        for (String path : List.of("/inspect", "/inspect/lens", "/inspect/intervene", "/inspect/patching")) {
            JsonNode post = paths.get(path).get("post");
            assertThat(post.get("requestBody").get("content").get("application/json").toString()).as(path).contains("example");
            assertThat(post.get("responses").has("422") && post.get("responses").has("429")).as(path).isTrue();
        }
        assertThat(paths.get("/inspect/embeddings").has("get")).isTrue();
    }

    @Test
    void theVersionsToAskAcrossAreListedAndReadable() throws Exception {
        ApiClient client = client();
        JsonNode versions = client.json(client.get("/inspect/versions").body()).get("versions");
        assertThat(versions).isNotEmpty();
        String served = versions.get(0).get("version").asString();
        assertThat(versions.get(0).get("served").asBoolean()).isTrue();
        HttpResponse<String> response = client.post("/inspect/lens", """
                {"inputs": "ROMEO:", "version": "%s"}""".formatted(served));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(client.json(response.body()).get("version").asString()).isEqualTo(served);
    }

    @Test
    void infoPublishesTheLimits() throws Exception {
        ApiClient client = client();
        JsonNode inspect = client.json(client.get("/info").body()).get("limits").get("inspect");
        assertThat(inspect.get("max_positions").asInt()).isEqualTo(256);
        assertThat(inspect.get("max_response_bytes").asLong()).isEqualTo(16777216L);
        assertThat(inspect.get("max_patching_runs").asInt()).isEqualTo(256);
        assertThat(client.post("/inspect", "{\"inputs\": \"ROMEO:\"}").statusCode()).isEqualTo(200);
        String metrics = client.get("/actuator/prometheus").body();
        assertThat(metrics).contains("folio_inspect_duration_seconds_count").contains("folio_inspect_queued");
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
                    values[i] = dev.folio.inspect.Half.toFloat((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] & 0xff) << 8);
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
}
