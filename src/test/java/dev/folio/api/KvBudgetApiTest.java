package dev.folio.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.folio.inference.DecodeScheduler;
import dev.folio.inference.KvBudgetSchedulingTest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import org.springframework.test.context.TestPropertySource;

/**
 * A KV memory budget of 16 positions (the tiny model takes 256 bytes a position): /info publishes it, a request that
 * could never fit is a 422 that says how to ask for less, and requests that fit one at a time all run to their end.
 */
@TestPropertySource(properties = "folio.generation.kv-memory-budget=4KB")
class KvBudgetApiTest extends TinyModelServerTest {

    @Autowired
    DecodeScheduler scheduler;

    @Test
    void infoPublishesTheBudget() throws Exception {
        JsonNode limits = api().json(api().get("/info").body()).get("limits");
        assertThat(limits.get("kv_memory_budget_bytes").asLong()).isEqualTo(4096);
    }

    @Test
    void aRequestLargerThanTheBudgetIs422OnEveryRoute() throws Exception {
        HttpResponse<String> tgi = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":20}}");
        assertThat(tgi.statusCode()).as(tgi.body()).isEqualTo(422);
        assertThat(api().json(tgi.body()).get("error").asString()).contains("need 23 positions of KV memory", "holds 16",
                "folio.generation.kv-memory-budget", "fewer new tokens");
        HttpResponse<String> completions = api().post("/v1/completions", "{\"prompt\":\"abc\",\"max_tokens\":20}");
        assertThat(completions.statusCode()).as(completions.body()).isEqualTo(422);
        assertThat(api().json(completions.body()).get("error").get("param").asString()).isEqualTo("max_tokens");
        HttpResponse<String> fits = api().post("/generate", "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":13}}");
        assertThat(fits.statusCode()).as(fits.body()).isEqualTo(200);
    }

    @Test
    void requestsThatFitOneAtATimeAllRunToTheirEnd() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String body = "{\"inputs\":\"abc\",\"parameters\":{\"max_new_tokens\":12,\"do_sample\":true,\"seed\":" + i + ",\"details\":true}}";
            responses.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return api().post("/generate", body);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            HttpResponse<String> answer = response.join();
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(api().json(answer.body()).get("details").get("generated_tokens").asInt()).isEqualTo(12);
        }
        assertThat(KvBudgetSchedulingTest.kvCacheBytesOnceSettled(scheduler)).as("given back once they are done").isZero();
    }
}
