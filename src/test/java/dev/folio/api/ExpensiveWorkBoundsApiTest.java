package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.store.ModelMetadata;
import dev.folio.store.TestModels;
import dev.folio.store.TestStore;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Templates and grammars are bounded while they run, over real HTTP: a served template whose loops run over the budget,
 * templates set through the admin route that cannot stay within the bounds, and grammars whose compile runs over its time
 * budget (set to 1 ms here, so an expensive grammar always does), refused once and remembered.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"folio.admin.key=adm1n", "folio.generation.grammar-compile-timeout=1ms",
                // time enough that the loop budget, not the clock, is what stops a render here
                "folio.chat.max-render-time=1m"})
class ExpensiveWorkBoundsApiTest {

    /** Every message costs a million loop iterations: over the default budget for any conversation. */
    private static final String LOOPING = "{% for m in messages %}{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}"
            + "{% endfor %}{{ m.content }}{% endfor %}";

    private static String version;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        TestStore test = TestStore.create("bounds-test");
        ModelMetadata published = TestModels.publish(test.store(), TestModels.NAME, TestModels.TOKENIZER,
                new ModelMetadata.Chat(LOOPING, List.of("\n\n")), 5);
        version = published.version();
        ApiTestSupport.serve(registry, test);
    }

    @LocalServerPort
    int port;

    @Autowired
    Grammars grammars;

    private ApiClient api() {
        return new ApiClient(port);
    }

    private ApiClient admin() {
        return new ApiClient(port, Map.of("Authorization", "Bearer adm1n"));
    }

    @Test
    void aServedTemplateOverTheLoopBudgetIsA422NamingIt() throws Exception {
        HttpResponse<String> response = api().post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"good morrow\"}]}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
        assertThat(response.body()).contains("loop budget").contains("folio.chat.max-loop-iterations");
        assertThat(api().post("/chat_tokenize", "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}").statusCode()).isEqualTo(422);
    }

    @Test
    void aTemplateThatCannotStayWithinTheBoundsIsRefusedWhenSet() throws Exception {
        String path = "/admin/models/" + version + "/chat-template";

        HttpResponse<String> loops = admin().put(path, "{\"template\":\"" + LOOPING + "\"}");
        assertThat(loops.statusCode()).as(loops.body()).isEqualTo(422);
        assertThat(loops.body()).contains("loop budget");

        HttpResponse<String> growing = admin().put(path, "{\"template\":\"{% set ns = namespace(s='ab') %}{% for i in range(40) %}"
                + "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}\"}");
        assertThat(growing.statusCode()).as(growing.body()).isEqualTo(422);
        assertThat(growing.body()).contains("string length limit");

        HttpResponse<String> padded = admin().put(path, "{\"template\":\"{{ 'a' | center(1000000000) }}\"}");
        assertThat(padded.statusCode()).as(padded.body()).isEqualTo(422);
        assertThat(padded.body()).contains("string length limit");

        HttpResponse<String> repeated = admin().put(path, "{\"template\":\"{{ 'a'.repeat(1000000000) }}\"}");
        assertThat(repeated.statusCode()).as(repeated.body()).isEqualTo(422);
        assertThat(repeated.body()).contains("repeat");
    }

    @Test
    void aGrammarOverItsCompileTimeIsRefusedAndTheRefusalRemembered() throws Exception {
        String body = "{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":2,\"grammar\":{\"type\":\"regex\",\"value\":\"(x?){300}\"}}}";
        long before = grammars.cache().compiles();

        HttpResponse<String> first = api().post("/generate", body);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(422);
        assertThat(first.body()).contains("parameters.grammar").contains("takes longer than 1 ms");
        assertThat(grammars.cache().compiles()).isEqualTo(before + 1);

        HttpResponse<String> second = api().post("/generate", body);
        assertThat(second.statusCode()).isEqualTo(422);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(grammars.cache().compiles()).as("the refusal is remembered, not compiled again").isEqualTo(before + 1);
    }

    @Test
    void concurrentIdenticalGrammarsCompileOnce() throws Exception {
        String body = "{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":2,\"grammar\":{\"type\":\"regex\",\"value\":\"(y?){310}\"}}}";
        long before = grammars.cache().compiles();
        int clients = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                responses.add(pool.submit(() -> {
                    start.await();
                    return api().post("/generate", body);
                }));
            }
            start.countDown();
            for (Future<HttpResponse<String>> response : responses) {
                assertThat(response.get().statusCode()).as(response.get().body()).isEqualTo(422);
                assertThat(response.get().body()).contains("takes longer than");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(grammars.cache().compiles()).as("one compile for all of them").isEqualTo(before + 1);
    }
}
