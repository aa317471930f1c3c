package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.AdjustableClock;
import dev.folio.store.ModelMetadata;
import dev.folio.store.ModelStore;
import dev.folio.store.TestModels;
import dev.folio.store.TestStore;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Two models with different vocabularies served side by side from one store: every route picks one by name, each is
 * reloaded and rolled back on its own, and they decode together in the one scheduler.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"folio.admin.key=adm1n", "folio.store.watch-interval=200ms"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiModelApiTest {

    private static Path root;
    private static ModelMetadata tiny;
    private static ModelMetadata caps;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        TestStore test = TestStore.create("multi-model");
        root = test.root();
        tiny = test.publish(61);
        caps = TestModels.publishCaps(test.store(), 62);
        ApiTestSupport.serve(registry, test); // the tiny model the default; every model in the store is served
    }

    @LocalServerPort
    int port;

    private ApiClient api() {
        return new ApiClient(port);
    }

    private ApiClient admin() {
        return new ApiClient(port, Map.of("Authorization", "Bearer adm1n"));
    }

    private static String lowerText(JsonNode response) {
        return response.get("generated_text").asString();
    }

    @Test
    @Order(1)
    void everyRoutePicksItsModelByName() throws Exception {
        // TGI's routes with Folio's top-level model; the default without one
        HttpResponse<String> upper = api().post("/generate", "{\"inputs\":\"ROMEO\",\"model\":\"tiny-caps\",\"parameters\":{\"max_new_tokens\":30,\"seed\":1,\"do_sample\":true}}");
        assertThat(upper.statusCode()).as(upper.body()).isEqualTo(200);
        assertThat(upper.headers().firstValue("X-Folio-Model-Version")).contains(caps.version());
        assertThat(lowerText(api().json(upper.body())).codePoints()).allMatch(TestModels.CAPS_TOKENIZER::contains);
        HttpResponse<String> lower = api().post("/generate", "{\"inputs\":\"romeo\",\"parameters\":{\"max_new_tokens\":30,\"seed\":1,\"do_sample\":true}}");
        assertThat(lower.headers().firstValue("X-Folio-Model-Version")).contains(tiny.version());
        assertThat(lowerText(api().json(lower.body())).codePoints()).allMatch(TestModels.TOKENIZER::contains);
        assertThat(api().post("/generate", "{\"inputs\":\"romeo\",\"model\":\"tiny-caps\"}").statusCode())
                .as("the caps model has no lower case").isEqualTo(422);
        for (String route : new String[] {"/generate_stream", "/"}) {
            HttpResponse<String> streamed = api().post(route, "{\"inputs\":\"KING\",\"model\":\"tiny-caps\",\"stream\":true,"
                    + "\"parameters\":{\"max_new_tokens\":5}}");
            assertThat(streamed.headers().firstValue("X-Folio-Model-Version")).as(route).contains(caps.version());
            assertThat(streamed.body()).contains("\"generated_text\"");
        }

        HttpResponse<String> tokens = api().post("/tokenize", "{\"inputs\":\"AB\",\"model\":\"tiny-caps\"}");
        assertThat(api().json(tokens.body()).get(0).get("id").asInt()).isEqualTo(TestModels.CAPS_TOKENIZER.encode("A")[0]);
        assertThat(api().json(api().post("/detokenize", "{\"ids\":[0,1],\"model\":\"tiny-caps\"}").body()).get("text").asString())
                .isEqualTo(TestModels.CAPS_TOKENIZER.decode(0, 1));
        HttpResponse<String> logits = api().post("/logits", "{\"inputs\":\"AB\",\"model\":\"tiny-caps\"}");
        assertThat(logits.statusCode()).isEqualTo(200);
        assertThat(api().json(logits.body()).get("model_version").asString()).isEqualTo(caps.version());
        assertThat(api().json(logits.body()).get("positions").get(0).get("top").get(0).get("text").asString().codePoints())
                .allMatch(TestModels.CAPS_TOKENIZER::contains);

        // OpenAI's routes: model picks; the response says which answered
        JsonNode completion = api().json(api().post("/v1/completions", "{\"model\":\"tiny-caps\",\"prompt\":\"KING\",\"max_tokens\":10}").body());
        assertThat(completion.get("model").asString()).isEqualTo("tiny-caps:" + caps.version());
        assertThat(completion.get("choices").get(0).get("text").asString().codePoints()).allMatch(TestModels.CAPS_TOKENIZER::contains);
        JsonNode byVersion = api().json(api().post("/v1/completions", "{\"model\":\"tiny-char:" + tiny.version() + "\",\"prompt\":\"ab\",\"max_tokens\":3}").body());
        assertThat(byVersion.get("model").asString()).as("name:version, as answered, routes too").startsWith("tiny-char:");
        JsonNode chat = api().json(api().post("/v1/chat/completions", "{\"model\":\"tiny-caps\",\"messages\":[{\"role\":\"user\",\"content\":\"HELLO\"}],"
                + "\"max_tokens\":10,\"seed\":2}").body());
        assertThat(chat.get("model").asString()).startsWith("tiny-caps:");
        assertThat(api().json(api().post("/chat_tokenize", "{\"model\":\"tiny-caps\",\"messages\":[{\"role\":\"user\",\"content\":\"HELLO\"}]}")
                .body()).get("templated_text").asString()).as("the caps model has the play-script default").isEqualTo("ROMEO:\nHELLO\n\nJULIET:\n");

        // listed everywhere
        JsonNode models = api().json(api().get("/v1/models").body());
        List<String> ids = new ArrayList<>();
        models.get("data").forEach(m -> ids.add(m.get("id").asString()));
        assertThat(ids).containsExactlyInAnyOrder("tiny-char", "tiny-caps");
        JsonNode info = api().json(api().get("/info").body());
        assertThat(info.get("model_id").asString()).as("the default").isEqualTo("tiny-char");
        assertThat(info.get("models")).hasSize(2);
        assertThat(api().json(api().get("/info?model=tiny-caps").body()).get("model_id").asString()).isEqualTo("tiny-caps");
        assertThat(api().json(api().get("/models?model=tiny-caps").body()).get("served").asString()).isEqualTo(caps.version());
        assertThat(api().json(api().get("/models").body()).get("models")).hasSize(2);
    }

    @Test
    @Order(2)
    void unknownAndHostileNamesAreRefused() throws Exception {
        HttpResponse<String> unknown = api().post("/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"ab\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        JsonNode error = api().json(unknown.body()).get("error");
        assertThat(error.get("message").asString()).contains("gpt-4").contains("tiny-caps").contains("tiny-char");
        assertThat(error.get("code").asString()).isEqualTo("model_not_found");
        assertThat(api().post("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode())
                .isEqualTo(404);
        HttpResponse<String> tgi = api().post("/generate", "{\"inputs\":\"ab\",\"model\":\"nope\"}");
        assertThat(tgi.statusCode()).isEqualTo(404);
        assertThat(tgi.headers().firstValue("Content-Type")).contains("application/problem+json");
        for (String hostile : new String[] {"../x", "/etc/passwd", "a/b", "tiny\\u0000char", "TINY-CHAR", ".."}) {
            HttpResponse<String> response = api().post("/v1/completions", "{\"model\":\"" + hostile + "\",\"prompt\":\"ab\"}");
            assertThat(response.statusCode()).as(hostile).isEqualTo(422);
            assertThat(api().json(response.body()).get("error").get("param").asString()).isEqualTo("model");
            assertThat(api().get("/models?model=" + URLEncoder.encode(hostile.replace("\\u0000", "\u0000"), StandardCharsets.UTF_8)).statusCode())
                    .as(hostile).isEqualTo(422);
        }
    }

    @Test
    @Order(3)
    void bothModelsDecodeTogetherAsEachAlone() throws Exception {
        String[] bodies = new String[8];
        for (int i = 0; i < bodies.length; i++) {
            bodies[i] = i % 2 == 0
                    ? "{\"inputs\":\"to be\",\"parameters\":{\"max_new_tokens\":40,\"do_sample\":true,\"seed\":" + (300 + i) + "}}"
                    : "{\"inputs\":\"TO BE\",\"model\":\"tiny-caps\",\"parameters\":{\"max_new_tokens\":40,\"do_sample\":true,\"seed\":" + (300 + i) + "}}";
        }
        List<String> alone = new ArrayList<>();
        for (String body : bodies) {
            alone.add(lowerText(api().json(api().post("/generate", body).body())));
        }
        ExecutorService clients = Executors.newFixedThreadPool(bodies.length);
        try {
            List<CompletableFuture<String>> together = new ArrayList<>();
            for (String body : bodies) {
                together.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return lowerText(api().json(api().post("/generate", body).body()));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, clients));
            }
            for (int i = 0; i < bodies.length; i++) {
                assertThat(together.get(i).join()).as("request %d", i).isEqualTo(alone.get(i));
            }
        } finally {
            clients.shutdown();
        }
    }

    @Test
    @Order(4)
    void eachModelReloadsAndRollsBackOnItsOwn() throws Exception {
        AdjustableClock clock = new AdjustableClock();
        ModelStore store = new ModelStore(root, clock);
        clock.advance(Duration.ofSeconds(1)); // a new version id second
        ModelMetadata capsV2 = TestModels.publishCaps(store, 63);
        waitUntilServed("tiny-caps", capsV2.version());
        assertThat(served("tiny-char")).as("the other model is untouched").isEqualTo(tiny.version());

        HttpResponse<String> rollback = admin().post("/admin/models/rollback?model=tiny-caps", "");
        assertThat(rollback.statusCode()).as(rollback.body()).isEqualTo(200);
        assertThat(served("tiny-caps")).isEqualTo(caps.version());
        assertThat(served("tiny-char")).isEqualTo(tiny.version());
        assertThat(admin().post("/admin/models/rollback", "").statusCode()).as("the default has no previous version").isEqualTo(404);
    }

    @Test
    @Order(5)
    void aModelPublishedUnderANewNameIsServedWithoutARestart() throws Exception {
        AdjustableClock clock = new AdjustableClock();
        ModelStore store = new ModelStore(root, clock);
        assertThat(api().post("/generate", "{\"inputs\":\"romeo\",\"model\":\"tiny-late\"}").statusCode()).as("not in the store yet").isEqualTo(404);
        ModelMetadata late = TestModels.publish(store, "tiny-late", TestModels.TOKENIZER, null, 64);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100 && !ids.contains("tiny-late"); i++) {
            Thread.sleep(100);
            ids.clear();
            api().json(api().get("/v1/models").body()).get("data").forEach(m -> ids.add(m.get("id").asString()));
        }
        assertThat(ids).containsExactlyInAnyOrder("tiny-char", "tiny-caps", "tiny-late");
        HttpResponse<String> generated = api().post("/generate", "{\"inputs\":\"romeo\",\"model\":\"tiny-late\",\"parameters\":{\"max_new_tokens\":10}}");
        assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
        assertThat(generated.headers().firstValue("X-Folio-Model-Version")).contains(late.version());
        assertThat(served("tiny-late")).isEqualTo(late.version());
        assertThat(served("tiny-char")).as("the others are untouched").isEqualTo(tiny.version());
        // and it hot-reloads like the others
        clock.advance(Duration.ofSeconds(1)); // a new version id second
        ModelMetadata lateV2 = TestModels.publish(store, "tiny-late", TestModels.TOKENIZER, null, 65);
        waitUntilServed("tiny-late", lateV2.version());
        String metrics = api().get("/actuator/prometheus").body();
        String path = api().json(api().get("/info?model=tiny-late").body()).get("serving_path").get("products").asString();
        assertThat(metrics).contains("folio_model_info{model=\"tiny-late\",serving_path=\"" + path + "\",version=\"" + lateV2.version() + "\"} 1")
                .contains("folio_model_reloads_total{model=\"tiny-late\",outcome=\"loaded\"} 1.0");
    }

    private String served(String model) throws Exception {
        return api().json(api().get("/models?model=" + model).body()).get("served").asString();
    }

    private void waitUntilServed(String model, String version) throws Exception {
        for (int i = 0; i < 100 && !served(model).equals(version); i++) {
            Thread.sleep(100);
        }
        assertThat(served(model)).isEqualTo(version);
    }
}
