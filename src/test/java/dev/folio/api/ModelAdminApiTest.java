package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.AdjustableClock;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import dev.folio.store.TestStore;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The models API and hot reload: list, promote, rollback, delete, a refused version, swaps under load. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"folio.admin.key=adm1n", "folio.store.watch-interval=200ms"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelAdminApiTest {

    private static Path root;
    private static ModelMetadata v1;
    private static ModelMetadata v2;
    private static ModelMetadata v3;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        AdjustableClock clock = new AdjustableClock();
        TestStore test = TestStore.create("admin-test", clock);
        root = test.root();
        v1 = test.publish(41);
        clock.advance(Duration.ofSeconds(1));
        v2 = test.publish(42);
        clock.advance(Duration.ofSeconds(1));
        v3 = test.publish(43);
        test.store().setCurrent(TestModels.NAME, v2.version());
        ApiTestSupport.serve(registry, test);
    }

    @LocalServerPort
    int port;

    private ApiClient admin() {
        return new ApiClient(port, Map.of("Authorization", "Bearer adm1n"));
    }

    private HttpResponse<String> delete(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).DELETE();
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String servedVersion() throws Exception {
        HttpResponse<String> response = new ApiClient(port).post("/generate", "{\"inputs\":\"ab\",\"parameters\":{\"max_new_tokens\":1}}");
        return response.headers().firstValue("X-Folio-Model-Version").orElseThrow();
    }

    @Test
    @Order(1)
    void modelsListsEveryVersionWithItsStatus() throws Exception {
        JsonNode models = new ApiClient(port).json(new ApiClient(port).get("/models").body());
        assertThat(models.get("current").asString()).isEqualTo(v2.version());
        assertThat(models.get("served").asString()).isEqualTo(v2.version());
        JsonNode versions = models.get("versions");
        assertThat(versions).hasSize(3);
        assertThat(versions.get(0).get("version").asString()).isEqualTo(v3.version()); // newest first
        assertThat(versions.get(1).get("current").asBoolean()).isTrue();
        assertThat(versions.get(0).get("status").asString()).isEqualTo("valid");
        assertThat(versions.get(0).get("parameter_count").asLong()).isEqualTo(TestModels.config().parameterCount());
        assertThat(versions.get(0).get("size_bytes").asLong()).isPositive();
        assertThat(servedVersion()).isEqualTo(v2.version());
        assertThat(new ApiClient(port).get("/info").headers().firstValue("X-Folio-Model-Version")).contains(v2.version());
    }

    @Test
    @Order(2)
    void adminRoutesRefuseAMissingOrWrongKey() throws Exception {
        assertThat(new ApiClient(port).post("/admin/models/rollback", "").statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = new ApiClient(port, Map.of("Authorization", "Bearer nope")).post("/admin/models/" + v1.version() + "/promote", "");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(delete("/admin/models/" + v1.version(), Map.of()).statusCode()).isEqualTo(401);
        assertThat(servedVersion()).isEqualTo(v2.version());
    }

    @Test
    @Order(3)
    void promoteAndRollbackSwapTheServedVersionAtOnce() throws Exception {
        JsonNode promoted = admin().json(admin().post("/admin/models/" + v3.version() + "/promote", "").body());
        assertThat(promoted.get("served").asString()).isEqualTo(v3.version());
        assertThat(servedVersion()).isEqualTo(v3.version());
        JsonNode rolledBack = admin().json(admin().post("/admin/models/rollback", "").body());
        assertThat(rolledBack.get("current").asString()).isEqualTo(v2.version());
        assertThat(servedVersion()).isEqualTo(v2.version());
    }

    @Test
    @Order(4)
    void hostileVersionIdsAreRejectedNeverServedOrDeleted() throws Exception {
        for (String hostile : List.of("..", "%2e%2e", "v20261128-174500%2F..%2F..", "%2Fetc%2Fpasswd", "v1", "..%5C..")) {
            HttpResponse<String> promote = admin().post("/admin/models/" + hostile + "/promote", "");
            assertThat(promote.statusCode()).as(hostile).isIn(400, 404, 422);
            assertThat(delete("/admin/models/" + hostile, Map.of("Authorization", "Bearer adm1n")).statusCode()).as(hostile).isIn(400, 404, 422);
        }
        assertThat(admin().post("/admin/models/v20991231-235959/promote", "").statusCode()).isEqualTo(404);
        assertThat(Files.isDirectory(root.resolve(TestModels.NAME).resolve(v1.version()))).isTrue();
    }

    @Test
    @Order(5)
    void concurrentClientsKeepGetting200sWhileVersionsSwap() throws Exception {
        AtomicBoolean swapping = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<List<Integer>>> results = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            results.add(clients.submit(() -> {
                List<Integer> statuses = new ArrayList<>();
                ApiClient api = new ApiClient(port);
                while (swapping.get() || statuses.size() < 5) {
                    statuses.add(api.post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":8}}").statusCode());
                }
                return statuses;
            }));
        }
        for (int i = 0; i < 6; i++) {
            String target = i % 2 == 0 ? v3.version() : v1.version();
            assertThat(admin().post("/admin/models/" + target + "/promote", "").statusCode()).isEqualTo(200);
        }
        swapping.set(false);
        List<Integer> all = new ArrayList<>();
        for (Future<List<Integer>> result : results) {
            all.addAll(result.get());
        }
        clients.shutdown();
        assertThat(all).hasSizeGreaterThanOrEqualTo(20).containsOnly(200);
        assertThat(servedVersion()).isEqualTo(v1.version());
    }

    @Test
    @Order(6)
    void aCorruptedVersionWrittenByAnotherProcessIsRefusedAndTheCurrentKeepsServing() throws Exception {
        Path params = root.resolve(TestModels.NAME).resolve(v3.version()).resolve(TestModels.NAME + "-0000.params");
        try (RandomAccessFile file = new RandomAccessFile(params.toFile(), "rw")) {
            file.seek(file.length() - 7);
            file.write(0x5a);
        }
        assertThat(admin().post("/admin/models/" + v3.version() + "/promote", "").statusCode()).as("promote verifies first").isEqualTo(409);
        // another process points the store at it directly: hot reload refuses it, the served version stays
        new ModelStore(root).setCurrent(TestModels.NAME, v3.version());
        JsonNode models = null;
        for (int i = 0; i < 100; i++) {
            models = new ApiClient(port).json(new ApiClient(port).get("/models").body());
            if (models.get("versions").get(0).get("status").asString().equals("invalid")) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(models.get("versions").get(0).get("status").asString()).isEqualTo("invalid");
        Thread.sleep(600); // a few watch ticks
        assertThat(servedVersion()).isEqualTo(v1.version());
        assertThat(new ApiClient(port).get("/actuator/prometheus").body()).contains("folio_model_reloads_total{model=\"tiny-char\",outcome=\"refused\"}");
    }

    @Test
    @Order(7)
    void deleteRemovesAVersionButNeverTheCurrentOne() throws Exception {
        new ModelStore(root).setCurrent(TestModels.NAME, v1.version());
        admin().post("/admin/models/" + v1.version() + "/promote", "");
        assertThat(delete("/admin/models/" + v1.version(), Map.of("Authorization", "Bearer adm1n")).statusCode()).isEqualTo(409);
        assertThat(delete("/admin/models/" + v2.version(), Map.of("Authorization", "Bearer adm1n")).statusCode()).isEqualTo(204);
        assertThat(Files.exists(root.resolve(TestModels.NAME).resolve(v2.version()))).isFalse();
        assertThat(delete("/admin/models/" + v2.version(), Map.of("Authorization", "Bearer adm1n")).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(8)
    void anAdminDownloadsAVersionAsAHuggingFaceModelZip() throws Exception {
        String version = v1.version(); // valid (order 6 corrupts another), current since order 7
        String path = "/admin/models/" + TestModels.NAME + "/versions/" + version + "/export";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        HttpResponse<byte[]> zip = HttpClient.newHttpClient().send(request.header("Authorization", "Bearer adm1n").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(zip.statusCode()).isEqualTo(200);
        assertThat(zip.headers().firstValue("Content-Type")).hasValue("application/zip");
        assertThat(zip.headers().firstValue("Content-Disposition").orElseThrow()).contains(TestModels.NAME + "-" + version + ".zip");
        Map<String, byte[]> entries = new java.util.HashMap<>();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(zip.body()))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        String folder = TestModels.NAME + "-" + version + "/";
        assertThat(entries).containsKeys(folder + "model.safetensors", folder + "config.json", folder + "tokenizer.json",
                folder + "tokenizer_config.json", folder + "generation_config.json", folder + "README.md");
        assertThat(new String(entries.get(folder + "config.json"), java.nio.charset.StandardCharsets.UTF_8)).contains("\"model_type\" : \"gpt2\"");

        HttpResponse<String> anonymous = new ApiClient(port).get(path);
        assertThat(anonymous.statusCode()).isIn(401, 403);
        HttpResponse<String> missing = admin().get("/admin/models/" + TestModels.NAME + "/versions/v20000101-000000/export");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type").orElseThrow()).contains("problem+json");
        assertThat(missing.body()).contains("v20000101-000000");
        HttpResponse<String> badVersion = admin().get("/admin/models/" + TestModels.NAME + "/versions/latest/export");
        assertThat(badVersion.statusCode()).isBetween(400, 422);
        assertThat(badVersion.body()).contains("invalid version id");
    }

    @Test
    @Order(100)
    void anAdminGivesAVersionANewChatTemplateWithoutRetraining() throws Exception {
        String served = servedVersion();
        String template = "{% for m in messages %}{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}reply.\n{% endif %}";
        String body = "{\"template\":" + JsonMapper.builder().build().writeValueAsString(template) + ",\"stop\":[\".\"]}";
        String path = "/admin/models/" + served + "/chat-template";
        assertThat(new ApiClient(port).put(path, body).statusCode()).as("admin only").isIn(401, 403);

        HttpResponse<String> created = admin().put(path, body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode answer = admin().json(created.body());
        String copy = answer.get("version").asString();
        assertThat(copy).isNotEqualTo(served);
        assertThat(answer.get("served").asString()).isEqualTo(copy);
        JsonNode info = admin().json(admin().get("/info").body());
        assertThat(info.get("chat_template").asString()).isEqualTo(template);
        assertThat(info.get("chat_stop").get(0).asString()).isEqualTo(".");
        String rendered = admin().json(admin().post("/chat_tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"good morrow\"}]}").body())
                .get("templated_text").asString();
        assertThat(rendered).isEqualTo("good morrow\nreply.\n");
        // the same weights: the copy scores a text exactly as the version it came from
        String scoredCopy = admin().json(admin().post("/logits", "{\"inputs\":\"abc\"}").body()).get("mean_nll").asString();
        assertThat(admin().post("/admin/models/" + served + "/promote", "").statusCode()).isEqualTo(200);
        assertThat(admin().json(admin().post("/logits", "{\"inputs\":\"abc\"}").body()).get("mean_nll").asString()).isEqualTo(scoredCopy);

        HttpResponse<String> broken = admin().put(path, "{\"template\":\"{% for m in messages %}\"}");
        assertThat(broken.statusCode()).isEqualTo(422);
        assertThat(admin().json(broken.body()).get("detail").asString()).startsWith("template: ");
    }
}
